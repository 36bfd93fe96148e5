#pragma once
/// @brief The one place where the gateway's own answers are made: every failure gets the status,
/// body and headers API Gateway gives it, by API kind.
///
/// | error               | REST (payload 1.0 API)                                   | HTTP API |
/// |---------------------|----------------------------------------------------------|----------|
/// | kNotFound           | 403 `{"message":"Missing Authentication Token"}`         | 404
/// `{"message":"Not Found"}` | | kBadRequest         | 400 `{"message":"Bad Request"}` | same | |
/// kRequestTooLarge    | 413 `{"message":"Request Too Long"}`                     | 413
/// `{"message":"Request Entity Too Large"}` | | kHeadersTooLarge    | 431 `{"message":"Request
/// Header Fields Too Large"}`      | same | | kFunctionError      | 502 `{"message": "Internal
/// server error"}`               | 500 `{"message":"Internal Server Error"}` | | kMalformedResponse
/// | 502 `{"message": "Internal server error"}`               | 500 `{"message":"Internal Server
/// Error"}` | | kIntegrationFailure | 500 `{"message": "Internal server error"}`               |
/// 500 `{"message":"Internal Server Error"}` | | kIntegrationTimeout | 504 `{"message": "Endpoint
/// request timed out"}`          | 503 `{"message":"Service Unavailable"}` |
///
/// Lambda authorizers (authorizer.hpp):
/// - kUnauthorized: 401 `{"message":"Unauthorized"}` (REST: UnauthorizedException)
/// - kExplicitDeny: REST 403
///   `{"Message":"User is not authorized to access this resource with an explicit deny"}`
///   (AccessDeniedException); HTTP API 403 `{"message":"Forbidden"}`
/// - kImplicitDeny: REST 403 `{"Message":"User is not authorized to access this resource"}`
///   (AccessDeniedException); HTTP API 403 `{"message":"Forbidden"}`
/// - kAuthorizerFailure: REST 500 `{"message":null}` (AuthorizerConfigurationException);
///   HTTP API 500 `{"message":"Internal Server Error"}`
/// JWT authorizers, API keys, usage plans and throttles (access.hpp; REST adds the
/// x-amzn-ErrorType in brackets):
/// - kUnauthorized: as above, for a missing or refused JWT
/// - kForbidden: 403 `{"message":"Forbidden"}` [ForbiddenException]
/// - kThrottled: 429 `{"message":"Too Many Requests"}` [TooManyRequestsException]
/// - kQuotaExceeded: 429 `{"message":"Limit Exceeded"}` [LimitExceededException]
///
/// - kUnsupportedIntegration: 500 `{"message": "Internal server error: lambdad does not run this
///   integration (…)"}` [InternalServerErrorException]; HTTP API without the error type
///
/// REST bodies keep AWS's spacing (`{"message": "Internal server error"}` has a space, the 403
/// has none).

#include <string_view>

#include "lambdad/gateway/routes.hpp"
#include "lambdad/http/server.hpp"

namespace lambdad::gateway {

enum class GatewayError {
  kNotFound,            ///< no route (REST: also a resource without the method)
  kBadRequest,          ///< an unparsable request, a malformed percent escape
  kRequestTooLarge,     ///< a body over 10 MB
  kHeadersTooLarge,     ///< a header section over the limit
  kFunctionError,       ///< the function failed (error, timeout, crash)
  kMalformedResponse,   ///< the function's reply is not a valid proxy response
  kIntegrationFailure,  ///< Lambda refused the invoke (throttled, event over 6 MB, shutting down)
  kIntegrationTimeout,  ///< no reply within the integration timeout
  kUnauthorized,        ///< no identity, a token failing its check, the authorizer's "Unauthorized"
  kExplicitDeny,        ///< the authorizer's policy denies the method
  kImplicitDeny,        ///< its policy does not allow the method (HTTP API: isAuthorized false)
  kAuthorizerFailure,   ///< the authorizer failed, timed out, was throttled or replied garbage
  kForbidden,           ///< no valid API key; a JWT without any of the route's scopes
  kThrottled,           ///< a stage, route or usage plan throttle
  kQuotaExceeded,       ///< the API key's usage plan quota is used up
  /// An OpenAPI integration lambdad does not run (`aws` with VTL templates, AWS service
  /// integrations, VPC links): 500 in API Gateway's shape, the message saying so.
  kUnsupportedIntegration,
  /// The gateway port is at its connection cap with nothing idle to close, or near the open-file
  /// limit: 503 `{"message":"Service Unavailable"}` on both kinds, as API Gateway answers when
  /// it cannot take a request.
  kServiceUnavailable,
};

struct ErrorShape {
  unsigned status;
  std::string_view body;
  std::string_view error_type;  ///< REST `x-amzn-ErrorType`, empty when AWS sends none
};

ErrorShape error_shape(ApiKind kind, GatewayError error);

/// The gateway's error for an answer the server loop gives by itself: an unparsable request
/// (kBadRequest), headers over the limit (kHeadersTooLarge), a connection over the port's limits
/// (kServiceUnavailable), a handler that threw (kIntegrationFailure).
GatewayError gateway_error(http::ProtocolError error);

/// The response (JSON body, keep-alive as the request asked), without request-id headers.
http::Response error_response(ApiKind kind, GatewayError error, const http::RequestHeader& header);

}  // namespace lambdad::gateway
