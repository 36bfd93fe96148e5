#pragma once
/// @brief Why a request's signature is refused: the auth module's one error type, and the one
/// table (auth_error.cpp) that turns it into AWS's answer for the protocol the request came in.

#include <stdexcept>
#include <string>

#include "lambdad/common/aws_error.hpp"

namespace lambdad::auth {

enum class Failure {
  kMissing,       ///< no Authorization header and no X-Amz-Algorithm query parameter
  kIncomplete,    ///< half a signature: a part missing or malformed
  kUnknownKey,    ///< an access key (or session token) lambdad does not know
  kBadSignature,  ///< the signature (or a chunk's, or the payload's hash) does not match
  kExpired,       ///< outside the clock skew, or past a presigned URL's X-Amz-Expires
  kAccessDenied,  ///< a valid caller that may not call this operation
};

struct AuthError : std::runtime_error {
  AuthError(Failure failure, std::string message)
      : std::runtime_error(message), failure(failure), message(std::move(message)) {}
  Failure failure;
  std::string message;
};

/// The wire protocol of the refused request: Lambda's REST JSON (403, `x-amzn-ErrorType`,
/// `{"message": …}`), or AWS JSON 1.1 (CloudWatch Logs: 400, `{"__type", "message"}`).
enum class Protocol { kRestJson, kJson11 };

/// | failure       | type                                  | REST JSON | JSON 1.1 |
/// |---------------|---------------------------------------|-----------|----------|
/// | kMissing      | MissingAuthenticationTokenException   | 403       | 400      |
/// | kIncomplete   | IncompleteSignatureException          | 403       | 400      |
/// | kUnknownKey   | UnrecognizedClientException           | 403       | 400      |
/// | kBadSignature | InvalidSignatureException             | 403       | 400      |
/// | kExpired      | InvalidSignatureException             | 403       | 400      |
/// | kAccessDenied | AccessDeniedException                 | 403       | 400      |
///
/// AccessDenied comes from Lambda's service, not its front end: `{"Type":"User","Message":…}`.
AwsError to_aws_error(const AuthError& error, Protocol protocol);

}  // namespace lambdad::auth
