#pragma once
/// @brief Lambda authorizers as a template declares them (SAM's `Auth` of an `AWS::Serverless::Api`
/// or `AWS::Serverless::HttpApi`, `Globals` merged), and which one guards each route.
///
/// REST: `Authorizers: {Name: {FunctionArn, FunctionPayloadType: TOKEN|REQUEST, Identity}}`.
/// TOKEN reads its token from `Identity.Header` (default `Authorization`), checked against
/// `Identity.ValidationExpression` when set; REQUEST names its identity sources (`Headers`,
/// `QueryStrings`, `StageVariables`, `Context`). `ReauthorizeEvery` is the cache TTL in seconds
/// (default 300).
///
/// HTTP API: `Authorizers: {Name: {FunctionArn, AuthorizerPayloadFormatVersion: "1.0"|"2.0",
/// EnableSimpleResponses, Identity}}`, always of the REQUEST kind. `ReauthorizeEvery` defaults to
/// 0 (SAM sets no `authorizerResultTtlInSeconds` without it, and caching needs an identity source).
///
/// `DefaultAuthorizer` guards every route of the API; an event's `Auth.Authorizer` names another
/// one or `NONE`. SAM also puts the default authorizer on the REST CORS `OPTIONS` mock unless
/// `AddDefaultAuthorizerToCorsPreflight: false`. Authorizers of other kinds (Cognito, JWT,
/// `AWS_IAM`) are not enforced here.
///
/// The template loader has checked and read them (src/deploy/api_auth.cpp,
/// api_settings_reader.cpp) into `api::LambdaAuthorizer`s, the same shape as an OpenAPI
/// document's; one it could not use is marked `unusable` and fails closed.
///
/// Thread safety: plain values, built once with the routes.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/common/api_settings.hpp"
#include "lambdad/common/regex.hpp"

namespace lambdad::gateway {

/// The four shapes of authorizer event and reply:
/// - kToken: REST TOKEN, `{type, authorizationToken, methodArn}`; IAM policy reply;
/// - kRequest: REST REQUEST, the 1.0 event + `methodArn`; IAM policy reply;
/// - kHttp1: HTTP API payload 1.0, + `identitySource`, `authorizationToken`; IAM policy reply;
/// - kHttp2: HTTP API payload 2.0, + `routeArn`, `identitySource[]`; IAM or simple reply.
using AuthorizerFormat = api::LambdaAuthorizer::Format;

using IdentitySource = api::IdentitySource;

struct AuthorizerConfig {
  std::string name;      ///< its key in `Auth.Authorizers`
  std::string api;       ///< the API's logical id
  std::string function;  ///< the authorizer function's name (`:qualifier` when its ARN had one)
  AuthorizerFormat format = AuthorizerFormat::kToken;
  /// TOKEN: the header and its check (a full match); REQUEST: the identity sources, in order.
  std::vector<IdentitySource> identity;
  std::shared_ptr<const std::regex> validation;  ///< TOKEN `ValidationExpression`, when set
  std::chrono::seconds ttl{0};                   ///< 0: no caching
  bool simple_responses = false;                 ///< kHttp2 only: `{isAuthorized, context}` replies
  /// Why the authorizer cannot be used (its routes fail closed with 500); "" when it can.
  std::string unusable;

  bool rest() const {
    return format == AuthorizerFormat::kToken || format == AuthorizerFormat::kRequest;
  }
};

/// One API's `Auth`.
struct ApiAuth {
  std::vector<AuthorizerConfig> authorizers;  ///< the Lambda ones
  std::string default_authorizer;             ///< "" when none
  bool default_on_preflight = true;           ///< REST AddDefaultAuthorizerToCorsPreflight

  const AuthorizerConfig* find(std::string_view name) const;
};

/// A Lambda authorizer of the API `api` (its template `Auth` or its OpenAPI document's), ready to
/// guard routes. An identity validation expression that does not compile makes it unusable.
AuthorizerConfig authorizer_config(const std::string& api, const api::LambdaAuthorizer& spec);

/// The Lambda authorizer guarding a route: `named` (an event's `Auth.Authorizer`; "" for none),
/// else the API's default; nullptr for NONE, AWS_IAM and authorizers of other kinds.
const AuthorizerConfig* route_authorizer(const ApiAuth& auth, std::string_view named);

/// The authorizer SAM puts on a REST API's CORS `OPTIONS` mock (the default one, unless
/// `AddDefaultAuthorizerToCorsPreflight: false`); nullptr when none.
const AuthorizerConfig* preflight_authorizer(const ApiAuth& auth);

}  // namespace lambdad::gateway
