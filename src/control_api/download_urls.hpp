#pragma once
// The download URLs the Lambda API hands out (GetFunction's Code.Location, GetLayerVersion's
// Content.Location): like AWS's presigned S3 URLs they work without credentials until they
// expire (10 minutes), carrying their own signature, an HMAC under a key the server makes at
// start (ApiState::code_url_key).

#include <string>
#include <string_view>

#include "router.hpp"

namespace lambdad::control_api {

/// `http://<the request's Host><path>?Expires=…&Signature=…`, signing `key` (what the URL
/// serves: a function's name, `layer/<name>/<version>`).
std::string signed_url(const ApiState& api, const Call& call, std::string_view path,
                       std::string_view key);

/// Throws 403 AccessDeniedException unless the call's query is a signature signed_url() made for
/// `key` that has not expired. `what` names the URL and `operation` the one that makes a new one
/// in the messages ("code", "GetFunction").
void check_signed_url(const ApiState& api, const Call& call, std::string_view key,
                      std::string_view what, std::string_view operation);

}  // namespace lambdad::control_api
