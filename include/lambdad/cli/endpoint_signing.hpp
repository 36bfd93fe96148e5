#pragma once
/// @brief The commands that call a running server (`invoke --endpoint`, `logs --endpoint`) sign
/// their requests as the AWS CLI would when AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are set, so
/// that they work against a server started with `--credentials` (and change nothing elsewhere).

#include <string_view>

#include "lambdad/http/sync_client.hpp"

namespace lambdad::cli {

/// Adds Host and the SigV4 headers to `headers` for `method` `target` (before the URL's base
/// path is prefixed) with `body`, scoped to `service`; nothing without keys in the environment.
void sign_for_endpoint(const http::Url& url, std::string_view method, std::string_view target,
                       http::Headers& headers, std::string_view body, std::string_view service);

}  // namespace lambdad::cli
