#pragma once
/// @brief SAM's `Auth` of APIs and of their events, checked as SAM checks it, for the gateway's
/// Lambda authorizers (read into typed settings by api_settings_reader.hpp).
///
/// An API's Lambda authorizers (entries with a `FunctionArn`) get their values checked (payload
/// type and format version, identity sources, TTL 0–3600, a ValidationExpression that compiles)
/// and normalised: `FunctionArn` becomes the function's ARN (from `!GetAtt Fn.Arn`,
/// `!Sub ${Fn.Arn}`, `!Ref Fn`, an ARN or a name), `ReauthorizeEvery` a number,
/// `AuthorizerPayloadFormatVersion` a string. `DefaultAuthorizer` must name one of `Authorizers`
/// (or AWS_IAM). REST Cognito authorizers and AWS_IAM are accepted with a warning: lambdad does not
/// enforce them. HTTP API JWT authorizers are left as they are.

#include <string>

#include "lambdad/common/function_config.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

/// Checks and normalises `Auth` of an `AWS::Serverless::Api` / `HttpApi`'s properties.
void read_api_auth(const std::string& who, bool http_api, Node& properties, LoadContext& ctx);

/// `Auth` of an `Api` / `HttpApi` event: a map whose `Authorizer` is a string.
bool check_event_auth(const Node& properties, const std::string& who, LoadContext& ctx);

/// Across resources, once everything is read: each event's `Auth.Authorizer` exists on its API
/// (`NONE` only where the API has a DefaultAuthorizer), as SAM requires; an authorizer function
/// that is not in the template is a warning (its requests get 500, as on AWS when API Gateway
/// cannot invoke it).
void check_route_authorizers(const Template& tmpl, Problems& problems);

}  // namespace lambdad::deploy
