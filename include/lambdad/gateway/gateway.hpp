#pragma once
/// @brief The API Gateway front door on the gateway port. Routes from the template's Api/HttpApi
/// events are not served yet: every path is unmatched and answered as API Gateway answers an
/// unmatched path (404 Not Found for HTTP APIs, 403 Missing Authentication Token for REST).

#include <memory>

#include "lambdad/common/function_config.hpp"
#include "lambdad/http/server.hpp"

namespace lambdad::gateway {

/// True when the template declares an HTTP API (an HttpApi event or resource).
bool has_http_api(const Template& tmpl);

std::shared_ptr<const http::Handler> make_handler(const Template& tmpl);

}  // namespace lambdad::gateway
