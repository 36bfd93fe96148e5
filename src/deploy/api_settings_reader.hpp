#pragma once
/// @brief The typed settings the gateway takes (lambdad/common/api_settings.hpp), read from
/// properties that api_auth.hpp, api_access.hpp and events.hpp have already checked: each rule is
/// read here and only here. What the checks let through but the gateway cannot use (a Lambda
/// authorizer's FunctionArn that names no function) is kept, marked, with a warning at its line.

#include <string>

#include <nlohmann/json.hpp>

#include "lambdad/common/api_settings.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

/// An AWS::Serverless::Api / HttpApi's settings. `properties`: the checked, normalised properties
/// (for the lines of warnings); `resolved`: the same as JSON. who: "api 'MyApi'".
api::ApiSettings read_api_settings(const Node& properties, const nlohmann::json& resolved,
                                   bool rest, const std::string& who, LoadContext& ctx);

/// An Api / HttpApi event's route and settings, from its checked, resolved properties (the API
/// already linked: RestApiId / ApiId is a logical id).
api::EventRoute read_event_route(const nlohmann::json& properties, bool rest);

/// An AWS::ApiGateway::ApiKey / UsagePlan / UsagePlanKey, from its checked properties.
void read_usage_plan_settings(const std::string& logical_id, std::string_view type, int line,
                              const nlohmann::json& properties, api::UsagePlanResources& out);

}  // namespace lambdad::deploy
