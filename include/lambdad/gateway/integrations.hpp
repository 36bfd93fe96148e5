#pragma once
/// @brief The OpenAPI integrations the gateway answers without a function: `mock` (the static
/// answer the template loader computed from the document) and `http_proxy` / `http` (the request
/// sent on to the integration's URL with the asynchronous client of http/fetch.hpp, so the io
/// thread never waits; the upstream's status, headers and body come back).
///
/// Thread safety: pure functions; proxy_http runs on the caller's executor.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "lambdad/common/openapi_definition.hpp"
#include "lambdad/gateway/errors.hpp"
#include "lambdad/gateway/request.hpp"
#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {

/// The mock's status, `responseParameters` headers and `responseTemplates` body.
http::Response mock_response(const openapi::Integration& integration, const http::Request& request);

/// The upstream URL: `{name}` / `{name+}` placeholders of the integration's `uri` replaced by the
/// request's path values (percent-encoded again; a greedy value keeps its `/`), through the
/// integration's `requestParameters` path mappings, and the request's query string appended.
/// `names`: the route's parameter names (Route::params), `values` theirs.
std::string upstream_url(const openapi::Integration& integration,
                         const std::vector<std::string>& names,
                         const std::vector<std::string>& values, std::string_view raw_query);

/// The upstream's answer, or nullopt with `error` set (kIntegrationFailure when it cannot be
/// reached, kIntegrationTimeout past the route's timeout).
boost::asio::awaitable<std::optional<http::Response>> proxy_http(
    const Route& route, const GatewayRequest& parsed, const std::vector<std::string>& values,
    const http::Request& request, GatewayError& error);

}  // namespace lambdad::gateway
