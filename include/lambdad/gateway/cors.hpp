#pragma once
/// @brief CORS on the gateway port, as API Gateway does it.
///
/// REST (`AWS::Serverless::Api` `Cors`): SAM adds an `OPTIONS` method with a mock integration to
/// every path of the API (unless the path already has one); it answers 200 with the configured
/// `Access-Control-Allow-*` headers, whatever the request's Origin. Actual responses of proxy
/// integrations get nothing added: the function returns its own CORS headers.
///
/// HTTP API (`CorsConfiguration`): API Gateway answers preflights (`OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`) itself when no route takes them (204, with the allow headers
/// only when the origin, method and headers are allowed), drops the integration's own
/// `Access-Control-*` headers and adds `Access-Control-Allow-Origin` (+ `Expose-Headers`,
/// `Allow-Credentials`) to responses to an allowed `Origin`.
///
/// Thread safety: plain values and pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdad/common/api_settings.hpp"

namespace lambdad::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One API's CORS settings, as the loader reads them (REST `Cors`, HTTP API `CorsConfiguration`
/// or `x-amazon-apigateway-cors`).
using CorsConfig = api::Cors;

/// SAM's computed AllowMethods of a REST path: its methods (ANY → all seven) plus OPTIONS,
/// sorted and comma-joined (`GET,OPTIONS`).
std::string rest_path_methods(const std::vector<std::string>& methods);

/// The REST mock's headers. `path_methods`: rest_path_methods of the path.
HeaderList rest_preflight_headers(const CorsConfig& cors, const std::string& path_methods);

/// The HTTP API's answer to a preflight: the headers of its 204 (empty when the origin, the
/// requested method or a requested header is not allowed).
HeaderList http_preflight_headers(const CorsConfig& cors, std::string_view origin,
                                  std::string_view request_method,
                                  std::string_view request_headers);

/// An HTTP API response: the integration's `Access-Control-*` headers removed, then the
/// configured ones added when `origin` (null: no Origin header) is allowed.
void apply_http_cors(const CorsConfig& cors, const std::string* origin, HeaderList& headers);

/// Whether an origin is allowed (`*`, exact, case-insensitive, or `https://*.example.com`).
bool origin_allowed(const CorsConfig& cors, std::string_view origin);

}  // namespace lambdad::gateway
