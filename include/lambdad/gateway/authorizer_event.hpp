#pragma once
/// @brief What API Gateway checks and sends before a route's function runs behind a Lambda
/// authorizer: the values of the authorizer's identity sources (one missing or empty, or a TOKEN
/// that fails its ValidationExpression, gets 401 without an invocation), the method ARN, and the
/// authorizer's event:
/// - REST TOKEN: `{type: "TOKEN", authorizationToken, methodArn}`;
/// - REST REQUEST: the request's 1.0 event without its body, plus `type: "REQUEST"`, `methodArn`;
/// - HTTP API 1.0: the same plus `identitySource` and `authorizationToken` (the values joined by
///   commas);
/// - HTTP API 2.0: the request's 2.0 event without its body, plus `type: "REQUEST"`, `routeArn`,
///   `identitySource` (the values as a list).
///
/// Identity sources read headers case-insensitively (REST: the last value; HTTP API: every value,
/// comma-joined), query parameters case-sensitively (the same way), stage variables, and request
/// context paths (`identity.sourceIp`, `requestId`, `routeKey`, …).
///
/// Thread safety: pure functions.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/gateway/authorizer_config.hpp"
#include "lambdad/gateway/request.hpp"

namespace lambdad::gateway {

struct ApiInfo;

/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`, the path decoded and
/// without its leading `/`.
std::string method_arn(const ApiInfo& api, const GatewayRequest& request);

/// The request's event in the authorizer's format (1.0 or 2.0); null for TOKEN authorizers.
nlohmann::json request_event_for(const AuthorizerConfig& authorizer, const EventInput& input);

/// The identity sources' values, in order; nullopt when one is missing or empty or the token
/// fails the ValidationExpression. `request_event`: request_event_for's, for context sources
/// (null when the authorizer has none).
std::optional<std::vector<std::string>> identity_values(const AuthorizerConfig& authorizer,
                                                        const EventInput& input,
                                                        const nlohmann::json& request_event);

/// The authorizer's event, made from request_event_for's (taken).
nlohmann::json authorizer_event(const AuthorizerConfig& authorizer, nlohmann::json request_event,
                                const std::vector<std::string>& values, const std::string& arn);

}  // namespace lambdad::gateway
