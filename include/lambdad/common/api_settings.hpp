#pragma once
/// @brief What a template sets for the gateway, as deploy/ reads it once: per API
/// (`AWS::Serverless::Api` / `HttpApi`) its stage variables, binary media types, CORS, Lambda and
/// JWT authorizers, API key rules, SAM usage plan and throttling; per `Api` / `HttpApi` event its
/// route, authorizer choice, API key requirement, scopes and throttle; and the
/// `AWS::ApiGateway::ApiKey` / `UsagePlan` / `UsagePlanKey` resources. The loader has checked
/// every value (a mistake is a load error at its line); the gateway only consumes these and never
/// reads the template's properties. The Lambda authorizers and CORS of an OpenAPI document have
/// the same shapes (openapi_definition.hpp).
///
/// Thread safety: plain data, built by the template loader, then read-only.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lambdad::api {

/// Where a Lambda authorizer reads its identity from.
struct IdentitySource {
  enum class Kind { kHeader, kQuery, kStageVariable, kContext };
  Kind kind = Kind::kHeader;
  std::string name;  ///< header (any case), query parameter, stage variable or context path

  bool operator==(const IdentitySource&) const = default;
};

/// A Lambda authorizer: an entry of `Auth.Authorizers` with a `FunctionArn`, or an OpenAPI
/// `x-amazon-apigateway-authorizer` of type `token` / `request`.
struct LambdaAuthorizer {
  enum class Format { kToken, kRequest, kHttp1, kHttp2 };
  std::string name;  ///< its key in `Auth.Authorizers`, or the security scheme's name
  Format format = Format::kToken;
  std::string function;  ///< `name` or `name:qualifier`
  bool function_in_template = true;
  bool function_alias = false;           ///< `${Fn.Alias}`: the loader adds the AutoPublishAlias
  std::vector<IdentitySource> identity;  ///< TOKEN: one header; REQUEST: the sources in order
  std::string validation_expression;     ///< TOKEN `ValidationExpression` ("" none)
  std::chrono::seconds ttl{0};           ///< 0: no caching
  bool simple_responses = false;         ///< HTTP API 2.0 `EnableSimpleResponses`
  /// Why it cannot be used (its routes answer 500); "" when it can.
  std::string unusable;

  bool operator==(const LambdaAuthorizer&) const = default;
};

/// An HTTP API's JWT authorizer (`JwtConfiguration`).
struct JwtAuthorizer {
  std::string name;  ///< its key in `Auth.Authorizers`
  std::string issuer;
  std::vector<std::string> audiences;
  std::vector<std::string> scopes;  ///< AuthorizationScopes: for routes that name none
  bool from_header = true;          ///< $request.header.X (else $request.querystring.X)
  std::string source;               ///< X

  bool operator==(const JwtAuthorizer&) const = default;
};

/// An API's CORS, SAM's inner quotes removed (`"'*'"` → `*`): REST `Cors`, HTTP API
/// `CorsConfiguration` or `x-amazon-apigateway-cors`.
struct Cors {
  std::vector<std::string> allow_origins;  ///< REST: the one AllowOrigin
  std::vector<std::string> allow_methods;  ///< REST: one header value; empty → the path's methods
  std::vector<std::string> allow_headers;
  std::vector<std::string> expose_headers;  ///< HTTP API only
  std::string max_age;                      ///< seconds as text, "" when not set
  bool allow_credentials = false;

  bool operator==(const Cors&) const = default;
};

/// What one throttle setting sets; a limit left out (or -1 in stage settings) is unset.
struct Throttle {
  std::optional<double> rate;      ///< requests per second
  std::optional<long long> burst;  ///< bucket size

  bool empty() const { return !rate && !burst; }
  bool operator==(const Throttle&) const = default;
};

enum class QuotaPeriod { kDay, kWeek, kMonth };

/// "DAY" / "WEEK" / "MONTH" (CloudFormation's enum: case-sensitive).
std::optional<QuotaPeriod> parse_quota_period(std::string_view text);
const char* quota_period_name(QuotaPeriod period);

/// A usage plan's `Quota`.
struct Quota {
  long long limit = 0;  ///< requests per period
  QuotaPeriod period = QuotaPeriod::kDay;
  /// Requests taken off the limit in the first period, as API Gateway's `offset`.
  long long offset = 0;

  bool operator==(const Quota&) const = default;
};

/// A REST `MethodSettings` entry that throttles.
struct MethodSetting {
  std::string path;    ///< `ResourcePath` decoded (`/~1pets` → `/pets`); `/*` or "": every path
  std::string method;  ///< `HttpMethod` upper case; `*` or "": every method
  Throttle throttle;

  bool operator==(const MethodSetting&) const = default;
};

/// REST `Auth.UsagePlan` with `CreateUsagePlan: PER_API` or `SHARED`.
struct SamUsagePlan {
  bool shared = false;  ///< SHARED: one plan and key for every API that asks for it
  Throttle throttle;    ///< per key
  std::optional<Quota> quota;

  bool operator==(const SamUsagePlan&) const = default;
};

/// An API's `Auth`.
struct Auth {
  std::vector<LambdaAuthorizer> lambda_authorizers;
  std::vector<JwtAuthorizer> jwt_authorizers;  ///< HTTP API only
  /// The other entries of `Authorizers` (REST Cognito ones): named, not enforced.
  std::vector<std::string> other_authorizers;
  std::string default_authorizer;          ///< "" when none
  bool default_on_preflight = true;        ///< REST AddDefaultAuthorizerToCorsPreflight
  bool api_key_required = false;           ///< REST ApiKeyRequired
  bool api_key_on_preflight = true;        ///< REST AddApiKeyRequiredToCorsPreflight
  std::optional<SamUsagePlan> usage_plan;  ///< nullopt: none, or `CreateUsagePlan: NONE`

  /// Whether `Authorizers` has an entry of that name, of any kind.
  bool has_authorizer(std::string_view name) const;
  bool operator==(const Auth&) const = default;
};

/// An `AWS::Serverless::Api` / `HttpApi`'s settings.
struct ApiSettings {
  std::map<std::string, std::string> stage_variables;  ///< REST Variables / HTTP StageVariables
  std::vector<std::string> binary_media_types;  ///< REST `BinaryMediaTypes` (`~1` read as `/`)
  std::optional<Cors> cors;
  Auth auth;
  std::string api_key_source;  ///< REST `ApiKeySourceType`: HEADER, AUTHORIZER or "" (HEADER)
  std::vector<MethodSetting> method_settings;       ///< REST
  Throttle default_route_throttle;                  ///< HTTP API DefaultRouteSettings
  std::map<std::string, Throttle> route_throttles;  ///< HTTP API RouteSettings, by route key

  bool operator==(const ApiSettings&) const = default;
};

/// An `Api` / `HttpApi` event.
struct EventRoute {
  std::string api;          ///< RestApiId / ApiId: the API's logical id
  std::string method;       ///< upper case (ANY for an HTTP API's `$default`)
  std::string path;         ///< as written, or `$default`
  bool payload_v2 = false;  ///< HTTP API PayloadFormatVersion "2.0" (the default)
  std::optional<std::chrono::milliseconds> timeout;  ///< TimeoutInMillis, when 50 or more
  std::string authorizer;                            ///< Auth.Authorizer; "" → the API's default
  std::optional<bool> api_key_required;              ///< Auth.ApiKeyRequired; nullopt → the API's
  std::optional<std::vector<std::string>> scopes;    ///< Auth.AuthorizationScopes
  Throttle throttle;                                 ///< HTTP API RouteSettings

  bool operator==(const EventRoute&) const = default;
};

/// An `AWS::ApiGateway::ApiKey`.
struct ApiKey {
  std::string id;     ///< logical id
  std::string value;  ///< "" when the template gives none (the gateway makes one up)
  bool enabled = false;
  int line = 0;
};

/// An `ApiStages` entry of an `AWS::ApiGateway::UsagePlan`.
struct PlanStage {
  std::string api;    ///< ApiId: the API's logical id
  std::string stage;  ///< its stage name
  /// Throttle: per method, keyed `/path/METHOD` (e.g. `/pets/{id}/GET`); only those that set one.
  std::map<std::string, Throttle> methods;
};

/// An `AWS::ApiGateway::UsagePlan`.
struct UsagePlan {
  std::string id;  ///< logical id
  std::vector<PlanStage> stages;
  Throttle throttle;  ///< per key
  std::optional<Quota> quota;
  int line = 0;
};

/// An `AWS::ApiGateway::UsagePlanKey`.
struct UsagePlanKey {
  std::string id;    ///< logical id
  std::string key;   ///< KeyId: an ApiKey's logical id
  std::string plan;  ///< UsagePlanId: a UsagePlan's logical id
  int line = 0;
};

/// A template's API key and usage plan resources, in template order.
struct UsagePlanResources {
  std::vector<ApiKey> keys;
  std::vector<UsagePlan> plans;
  std::vector<UsagePlanKey> plan_keys;
};

}  // namespace lambdad::api
