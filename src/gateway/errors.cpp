#include "lambdad/gateway/errors.hpp"

namespace lambdad::gateway {

ErrorShape error_shape(ApiKind kind, GatewayError error) {
  const bool rest = kind == ApiKind::kRest;
  switch (error) {
    case GatewayError::kNotFound:
      if (rest) {
        return {403, R"({"message":"Missing Authentication Token"})",
                "MissingAuthenticationTokenException"};
      }
      return {404, R"({"message":"Not Found"})", ""};
    case GatewayError::kBadRequest:
      return {400, R"({"message":"Bad Request"})", rest ? "BadRequestException" : ""};
    case GatewayError::kRequestTooLarge:
      if (rest) return {413, R"({"message":"Request Too Long"})", "RequestTooLargeException"};
      return {413, R"({"message":"Request Entity Too Large"})", ""};
    case GatewayError::kHeadersTooLarge:
      return {431, R"({"message":"Request Header Fields Too Large"})", ""};
    case GatewayError::kFunctionError:
    case GatewayError::kMalformedResponse:
      if (rest) {
        return {502, R"({"message": "Internal server error"})", "InternalServerErrorException"};
      }
      return {500, R"({"message":"Internal Server Error"})", ""};
    case GatewayError::kIntegrationFailure:
      if (rest) {
        return {500, R"({"message": "Internal server error"})", "InternalServerErrorException"};
      }
      return {500, R"({"message":"Internal Server Error"})", ""};
    case GatewayError::kIntegrationTimeout:
      if (rest) return {504, R"({"message": "Endpoint request timed out"})", ""};
      return {503, R"({"message":"Service Unavailable"})", ""};
    case GatewayError::kUnauthorized:
      return {401, R"({"message":"Unauthorized"})", rest ? "UnauthorizedException" : ""};
    case GatewayError::kExplicitDeny:
      if (rest) {
        return {
            403,
            R"({"Message":"User is not authorized to access this resource with an explicit deny"})",
            "AccessDeniedException"};
      }
      return {403, R"({"message":"Forbidden"})", ""};
    case GatewayError::kImplicitDeny:
      if (rest) {
        return {403, R"({"Message":"User is not authorized to access this resource"})",
                "AccessDeniedException"};
      }
      return {403, R"({"message":"Forbidden"})", ""};
    case GatewayError::kAuthorizerFailure:
      if (rest) return {500, R"({"message":null})", "AuthorizerConfigurationException"};
      return {500, R"({"message":"Internal Server Error"})", ""};
    case GatewayError::kForbidden:
      return {403, R"({"message":"Forbidden"})", rest ? "ForbiddenException" : ""};
    case GatewayError::kThrottled:
      return {429, R"({"message":"Too Many Requests"})", rest ? "TooManyRequestsException" : ""};
    case GatewayError::kQuotaExceeded:
      return {429, R"({"message":"Limit Exceeded"})", rest ? "LimitExceededException" : ""};
    case GatewayError::kUnsupportedIntegration:
      return {
          500,
          R"({"message": "Internal server error: lambdad does not run this integration (aws with VTL mapping templates, AWS service or VPC link integrations); see the server log"})",
          rest ? "InternalServerErrorException" : ""};
    case GatewayError::kServiceUnavailable:
      return {503, R"({"message":"Service Unavailable"})", ""};
  }
  return {500, R"({"message":"Internal Server Error"})", ""};
}

GatewayError gateway_error(http::ProtocolError error) {
  switch (error) {
    case http::ProtocolError::kMalformed:
      return GatewayError::kBadRequest;
    case http::ProtocolError::kHeadersTooLarge:
      return GatewayError::kHeadersTooLarge;
    case http::ProtocolError::kOverloaded:
      return GatewayError::kServiceUnavailable;
    case http::ProtocolError::kInternal:
      break;
  }
  return GatewayError::kIntegrationFailure;
}

http::Response error_response(ApiKind kind, GatewayError error, const http::RequestHeader& header) {
  const ErrorShape shape = error_shape(kind, error);
  http::Response response{static_cast<http::bhttp::status>(shape.status), header.version()};
  response.keep_alive(http::wants_keep_alive(header));
  response.set(http::bhttp::field::content_type, "application/json");
  if (!shape.error_type.empty()) response.set("x-amzn-ErrorType", shape.error_type);
  response.body() = std::string(shape.body);
  return response;
}

}  // namespace lambdad::gateway
