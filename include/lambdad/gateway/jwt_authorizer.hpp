#pragma once
/// @brief An HTTP API's JWT authorizers, declared the SAM way, and what a route takes from them.
///
/// ```yaml
/// Auth:
///   DefaultAuthorizer: MyJwt            # every route, unless its event says otherwise
///   Authorizers:
///     MyJwt:
///       IdentitySource: $request.header.Authorization   # the default; or $request.querystring.X
///       JwtConfiguration: {issuer: https://…, audience: [my-client]}
///       AuthorizationScopes: [read]     # for routes that name none
/// ```
/// An event's `Auth: {Authorizer: MyJwt | NONE, AuthorizationScopes: [...]}` picks another
/// authorizer, none, or other scopes. Lambda authorizers (`FunctionArn`) and `AWS_IAM` are not
/// JWT authorizers: routes using them get no JwtRoute here.
///
/// What the function sees (`requestContext.authorizer`): payload 2.0 `{"jwt": {"claims": {…},
/// "scopes": [...] | null}}`, payload 1.0 `{"claims": {…}, "scopes": [...] | null}`; claims as
/// strings (jwt.hpp event_claims); scopes are the token's when the route asks for scopes, else
/// null.
///
/// Thread safety: plain values, built once per deploy.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/gateway/request.hpp"
#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {

struct JwtAuthorizer {
  std::string api;   ///< the HTTP API's logical id
  std::string name;  ///< its key in Auth.Authorizers
  std::string issuer;
  std::vector<std::string> audiences;
  std::vector<std::string> scopes;  ///< AuthorizationScopes: for routes that name none
  bool from_header = true;          ///< $request.header.X (else $request.querystring.X)
  std::string source;               ///< X (a header name is compared case-insensitively)
};

/// The JWT authorizers of an HTTP API's `Auth.Authorizers` (as the loader read them).
std::vector<JwtAuthorizer> read_jwt_authorizers(const ApiInfo& api);

struct JwtRoute {
  const JwtAuthorizer* authorizer = nullptr;
  std::vector<std::string> scopes;  ///< the scopes the route requires (any one of them)
};

/// The JWT authorizer of an HTTP API route (its event's Auth, else the API's
/// DefaultAuthorizer); nullopt when the route has none, or a non-JWT one.
/// `authorizers`: read_jwt_authorizers of the route's API.
std::optional<JwtRoute> route_jwt(const Route& route,
                                  const std::vector<JwtAuthorizer>& authorizers);

/// The token from the request's identity source; nullopt when it is missing or empty.
std::optional<std::string> identity_token(const JwtAuthorizer& authorizer,
                                          const GatewayRequest& request);

/// `requestContext.authorizer` for the route's payload version.
nlohmann::json jwt_context(PayloadVersion payload, const nlohmann::json& claims,
                           const std::vector<std::string>* scopes);

}  // namespace lambdad::gateway
