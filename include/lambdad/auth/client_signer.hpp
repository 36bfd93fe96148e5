#pragma once
/// @brief SigV4 on the client side, for lambdad's own commands that call a server
/// (`lambdad invoke --endpoint`, `lambdad logs --endpoint`): the keys the AWS CLI would use, and
/// the headers that sign one request with them (sigv4.hpp's primitives, as the server checks).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdad::auth {

struct ClientKey {
  std::string access_key_id;
  std::string secret;
  std::string session_token;  ///< may be empty
};

/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); nullopt unless both are set.
std::optional<ClientKey> client_key_from_environment();
/// AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
std::string client_region();

/// The headers to add to a request so that it is signed: X-Amz-Date, X-Amz-Security-Token (with
/// a session token) and Authorization, over `host` (the Host header the request carries), those
/// two and every header of `headers`, the target exactly as sent and the body's SHA-256.
std::vector<std::pair<std::string, std::string>> signature_headers(
    const ClientKey& key, std::string_view method, std::string_view host, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
    std::string_view region, std::string_view service, std::chrono::system_clock::time_point now);

}  // namespace lambdad::auth
