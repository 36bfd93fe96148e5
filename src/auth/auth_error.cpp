#include "lambdad/auth/auth_error.hpp"

namespace lambdad::auth {

AwsError to_aws_error(const AuthError& error, Protocol protocol) {
  const char* type = "InvalidSignatureException";
  switch (error.failure) {
    case Failure::kMissing:
      type = "MissingAuthenticationTokenException";
      break;
    case Failure::kIncomplete:
      type = "IncompleteSignatureException";
      break;
    case Failure::kUnknownKey:
      type = "UnrecognizedClientException";
      break;
    case Failure::kBadSignature:
    case Failure::kExpired:
      type = "InvalidSignatureException";
      break;
    case Failure::kAccessDenied:
      type = "AccessDeniedException";
      break;
  }
  // Lambda answers these from its front end: 403 and a body of `message` alone (no `Type`);
  // JSON 1.1 services (CloudWatch Logs) answer 400 with `__type`.
  const int status = protocol == Protocol::kRestJson ? 403 : 400;
  if (error.failure == Failure::kAccessDenied) return AwsError(status, type, error.message);
  return AwsError(status, type, error.message, AwsError::Key::kmessage, /*fault=*/"");
}

}  // namespace lambdad::auth
