#include "lambdad/http/error_response.hpp"

#include <nlohmann/json.hpp>

#include "lambdad/common/ids.hpp"

namespace lambdad::http {
namespace {

Response base(const RequestHeader& header, unsigned status) {
  Response response{static_cast<bhttp::status>(status), header.version()};
  response.keep_alive(wants_keep_alive(header));
  response.set(bhttp::field::content_type, "application/json");
  return response;
}

/// The request behind a protocol error is unknown or unreadable: answer as HTTP/1.1 and close.
RequestHeader closing_header() {
  RequestHeader header;
  header.version(11);
  header.set(bhttp::field::connection, "close");
  return header;
}

}  // namespace

std::string dump_lenient(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response lambda_error(const RequestHeader& header, const AwsError& error,
                      std::string_view request_id) {
  nlohmann::json body;
  // Errors of Lambda's front end (signatures, keys) carry no `Type`.
  if (!error.fault.empty()) body["Type"] = error.fault;
  body[error.key == AwsError::Key::kMessage ? "Message" : "message"] = error.message;
  if (!error.reason.empty()) body["Reason"] = error.reason;
  Response response = base(header, error.status);
  response.set("x-amzn-ErrorType", error.type);
  response.set("x-amzn-RequestId", request_id);
  if (error.retry_after_s)
    response.set(bhttp::field::retry_after, std::to_string(*error.retry_after_s));
  response.body() = dump_lenient(body);
  return response;
}

Response lambda_error(const Request& request, const AwsError& error, std::string_view request_id) {
  return lambda_error(request.base(), error, request_id);
}

Response json11_error(const Request& request, const AwsError& error, std::string_view request_id) {
  Response response = base(request.base(), error.status);
  response.set(bhttp::field::content_type, "application/x-amz-json-1.1");
  response.set("x-amzn-RequestId", request_id);
  response.body() =
      dump_lenient(nlohmann::json{{"__type", error.type}, {"message", error.message}});
  return response;
}

Response runtime_error(const RequestHeader& header, unsigned status, std::string_view type,
                       std::string_view message) {
  Response response = base(header, status);
  response.body() = dump_lenient(nlohmann::json{{"errorMessage", message}, {"errorType", type}});
  return response;
}

Response lambda_protocol_error(ProtocolError error, std::string_view detail) {
  const std::string what(detail);
  AwsError aws = [&]() -> AwsError {
    switch (error) {
      case ProtocolError::kMalformed:
        return errors::invalid_request_content("Could not parse the HTTP request: " + what);
      case ProtocolError::kHeadersTooLarge:
        return {431, "InvalidRequestContentException", "Request header fields too large: " + what,
                AwsError::Key::kmessage};
      case ProtocolError::kOverloaded:
        return {503, "ServiceException",
                "Too many connections to the Lambda API (" + what + "); retry later",
                AwsError::Key::kMessage, "Service"};
      case ProtocolError::kInternal:
        break;
    }
    return errors::service("lambdad failed to handle the request; see the server log");
  }();
  return lambda_error(closing_header(), aws, new_request_id());
}

Response runtime_protocol_error(ProtocolError error, std::string_view detail) {
  const std::string what(detail);
  switch (error) {
    case ProtocolError::kMalformed:
      return runtime_error(closing_header(), 400, "InvalidRequest",
                           "Could not parse the HTTP request: " + what);
    case ProtocolError::kHeadersTooLarge:
      return runtime_error(closing_header(), 431, "RequestHeaderFieldsTooLarge",
                           "Request header fields too large: " + what);
    case ProtocolError::kOverloaded:
      return runtime_error(closing_header(), 503, "TooManyConnections",
                           "Too many connections to this Runtime API endpoint (" + what + ")");
    case ProtocolError::kInternal:
      break;
  }
  return runtime_error(closing_header(), 500, "ServiceException",
                       "lambdad failed to handle the request; see the server log");
}

}  // namespace lambdad::http
