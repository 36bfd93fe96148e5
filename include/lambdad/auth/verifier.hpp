#pragma once
/// @brief Verifies a request's AWS Signature Version 4 (header or presigned query form, chunked
/// payload signing) against the configured credentials and a clock.
///
/// Thread safety: call on one thread at a time per Credentials (the io thread).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/auth/auth_error.hpp"
#include "lambdad/auth/credentials.hpp"
#include "lambdad/http/server.hpp"

namespace lambdad::auth {

/// How far a request's X-Amz-Date may be from the server's clock either way (AWS: 5 minutes).
inline constexpr std::chrono::seconds kClockSkew{300};
/// The longest X-Amz-Expires of a presigned URL (AWS: a week).
inline constexpr int64_t kMaxExpires = 604800;

struct Verified {
  std::string access_key;
  std::string service;  ///< the scope's
  std::string region;   ///< the scope's
  bool worker = false;  ///< signed by a key issued to a worker (data plane only)
};

/// Checks `request`'s signature: its claim (signature_claim.hpp), its scope's service (one of
/// `services`), the key, the time against `now`, the signature over the canonical request, the
/// body against x-amz-content-sha256 when that is a digest, and each chunk of a
/// STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, which is then replaced by the decoded payload
/// (Content-Encoding `aws-chunked` dropped). Throws AuthError.
Verified verify(const Credentials& credentials, http::Request& request,
                const std::vector<std::string_view>& services,
                std::chrono::system_clock::time_point now);

}  // namespace lambdad::auth
