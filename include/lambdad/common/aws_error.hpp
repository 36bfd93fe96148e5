#pragma once
/// @brief The one error type of lambdad's AWS-facing APIs. Handlers throw it; the HTTP layer
/// renders it in the shape of the protocol the request came in on (see http/error_response.hpp):
/// - Lambda REST (`2015-03-31`…): status, `x-amzn-ErrorType: <type>`, body `{"Type":"User",
///   "Message"|"message": …}` (the key's case differs by error, as on AWS), plus `Reason`.
/// - AWS JSON 1.1 (CloudWatch Logs): status 400, body `{"__type": <type>, "message": …}`.
/// - Runtime API: body `{"errorMessage": …, "errorType": …}`.

#include <optional>
#include <stdexcept>
#include <string>

namespace lambdad {

struct AwsError : std::runtime_error {
  enum class Key { kMessage, kmessage };  ///< `Message` or `message` in Lambda REST bodies

  AwsError(int status, std::string type, std::string message, Key key = Key::kMessage,
           std::string fault = "User")
      : std::runtime_error(message),
        status(status),
        type(std::move(type)),
        message(std::move(message)),
        key(key),
        fault(std::move(fault)) {}

  int status;
  std::string type;  ///< e.g. ResourceNotFoundException
  std::string message;
  Key key;
  std::string fault;   ///< `Type` in Lambda bodies: User | Service
  std::string reason;  ///< `Reason` of TooManyRequestsException, when set
  std::optional<int> retry_after_s;
};

namespace errors {

inline AwsError function_not_found(const std::string& arn) {
  return {404, "ResourceNotFoundException", "Function not found: " + arn};
}
inline AwsError alias_not_found(const std::string& arn) {
  return {404, "ResourceNotFoundException", "Alias not found: " + arn};
}
inline AwsError invalid_request_content(const std::string& message) {
  return {400, "InvalidRequestContentException", message, AwsError::Key::kmessage};
}
inline AwsError invalid_parameter(const std::string& message) {
  return {400, "InvalidParameterValueException", message, AwsError::Key::kmessage};
}
inline AwsError request_too_large(size_t bytes, const std::string& invocation_type, size_t limit) {
  return {413, "RequestTooLargeException",
          std::to_string(bytes) + " byte payload is too large for the " + invocation_type +
              " invocation type (limit " + std::to_string(limit) + " bytes)",
          AwsError::Key::kmessage};
}
inline AwsError too_many_requests(const std::string& reason) {
  AwsError e{429, "TooManyRequestsException", "Rate Exceeded.", AwsError::Key::kmessage};
  e.reason = reason;
  e.retry_after_s = 1;
  return e;
}
inline AwsError service(const std::string& message) {
  return {500, "ServiceException", message, AwsError::Key::kMessage, "Service"};
}

}  // namespace errors
}  // namespace lambdad
