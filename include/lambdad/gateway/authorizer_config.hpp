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
/// The template loader has validated the shapes (src/deploy/api_auth.cpp) and turned every
/// `FunctionArn` into an ARN; what this parser still cannot use fails closed, with a warning.
///
/// Thread safety: plain values, built once with the routes.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/common/openapi_definition.hpp"
#include "lambdad/common/regex.hpp"

namespace lambdad::gateway {

/// The four shapes of authorizer event and reply.
enum class AuthorizerFormat {
  kToken,    ///< REST TOKEN: `{type, authorizationToken, methodArn}`; IAM policy reply
  kRequest,  ///< REST REQUEST: the 1.0 event + `methodArn`; IAM policy reply
  kHttp1,    ///< HTTP API payload 1.0: + `identitySource`, `authorizationToken`; IAM policy reply
  kHttp2,    ///< HTTP API payload 2.0: + `routeArn`, `identitySource[]`; IAM or simple reply
};

struct IdentitySource {
  enum class Kind { kHeader, kQuery, kStageVariable, kContext };
  Kind kind;
  std::string name;  ///< header (any case), query parameter, stage variable or context path

  bool operator==(const IdentitySource&) const = default;
};

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

/// Reads `Auth` from an API's resolved properties. An authorizer lambdad cannot use is kept,
/// marked `unusable`, with a warning (routes it guards fail closed).
ApiAuth parse_api_auth(const std::string& api, bool http_api, const nlohmann::json& properties,
                       std::vector<std::string>& warnings);

/// A Lambda authorizer of an API's OpenAPI document (read by the template loader). An
/// identityValidationExpression that does not compile makes it unusable.
AuthorizerConfig authorizer_from_openapi(const std::string& api, const openapi::Authorizer& spec);

/// The Lambda authorizer guarding an `Api` / `HttpApi` event's route: its `Auth.Authorizer`, else
/// the API's default; nullptr for NONE, AWS_IAM and authorizers of other kinds.
const AuthorizerConfig* route_authorizer(const ApiAuth& auth,
                                         const nlohmann::json& event_properties);

/// The authorizer SAM puts on a REST API's CORS `OPTIONS` mock (the default one, unless
/// `AddDefaultAuthorizerToCorsPreflight: false`); nullptr when none.
const AuthorizerConfig* preflight_authorizer(const ApiAuth& auth);

}  // namespace lambdad::gateway
