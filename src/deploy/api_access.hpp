#pragma once
/// @brief What the gateway enforces before a function runs, checked at load time so that a
/// mistake is reported at its line: JWT authorizers (HTTP API `Auth`), API keys and usage plans
/// (REST `Auth.ApiKeyRequired` / `Auth.UsagePlan` / `ApiKeySourceType` and the
/// `AWS::ApiGateway::ApiKey`, `UsagePlan`, `UsagePlanKey` resources) and throttling (REST
/// `MethodSettings`, HTTP API `DefaultRouteSettings` / `RouteSettings`); api_settings_reader.hpp
/// then reads them into the gateway's typed settings. Lambda authorizers
/// (`FunctionArn`), and the names of `DefaultAuthorizer` and an event's `Authorizer`, are
/// api_auth.hpp's.

#include <optional>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

/// An AWS::Serverless::Api / HttpApi's Auth and throttle settings. who: "api 'MyApi'".
void check_api_access(const Node& properties, bool rest, const std::string& who, LoadContext& ctx);

/// An Api / HttpApi event's Auth (and an HttpApi event's RouteSettings); false when wrong.
bool check_event_access(const Node& properties, bool rest, const std::string& who,
                        LoadContext& ctx);

inline constexpr std::string_view kApiKeyType = "AWS::ApiGateway::ApiKey";
inline constexpr std::string_view kUsagePlanType = "AWS::ApiGateway::UsagePlan";
inline constexpr std::string_view kUsagePlanKeyType = "AWS::ApiGateway::UsagePlanKey";

/// Whether lambdad reads resources of this type for the gateway's API keys.
bool is_usage_plan_type(std::string_view type);

/// An AWS::ApiGateway::ApiKey / UsagePlan / UsagePlanKey, properties checked, added to `out`.
void read_usage_plan_resource(const std::string& logical_id, const std::string& type, int line,
                              const Node& properties, LoadContext& ctx,
                              api::UsagePlanResources& out);

/// The links between resources: usage plan keys to keys and plans, plans to REST APIs and
/// their stages.
void check_access_links(const Template& tmpl, Problems& problems);

/// Warns of the routes that require an API key on an API with `ApiKeySourceType: AUTHORIZER`
/// but have no Lambda authorizer to give one: API Gateway refuses every request on them.
void check_authorizer_keys(const Template& tmpl, Problems& problems);

}  // namespace lambdad::deploy
