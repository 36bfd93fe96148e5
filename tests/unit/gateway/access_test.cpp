// What guards a route, from a loaded template to the verdict on a request: usage plans and keys
// (explicit resources and SAM's PER_API / SHARED), stage and route throttle precedence, JWT
// authorizer selection, and Access::check on API keys (from x-api-key or, with ApiKeySourceType
// AUTHORIZER, a Lambda authorizer's usageIdentifierKey), throttles, quotas and JWTs (keys from a
// JWKS file issuer).

#include "lambdad/gateway/access.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "lambdad/common/ids.hpp"
#include "lambdad/gateway/throttling.hpp"
#include "unit/deploy/template_fixture.hpp"
#include "unit/gateway/test_tokens.hpp"

namespace lambdad::gateway {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;

constexpr const char* kKey = "abcdefghijklmnopqrstuvwxyz";

class AccessTest : public deploy::testing::TemplateFixture {
 protected:
  std::unique_ptr<Routes> routes(const std::string& yaml) {
    tmpl_ = load(yaml);
    return build_routes(tmpl_);
  }

  static const Route& route(const Routes& r, const std::string& key) {
    for (const auto& route : r.routes) {
      if (route.route_key() == key) return route;
    }
    throw std::runtime_error("no route " + key);
  }

  /// Runs Access::check to completion.
  std::variant<Admission, Denial> check(const Access& access, const Route& route,
                                        GatewayRequest request,
                                        const std::string* authorizer_key = nullptr) {
    request.time_epoch_ms = epoch_ms();
    std::optional<std::variant<Admission, Denial>> out;
    asio::co_spawn(io_, access.check(route, request, authorizer_key),
                   [&](std::exception_ptr e, std::variant<Admission, Denial> v) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(v);
                   });
    io_.restart();
    io_.run();
    return *out;
  }

  static GatewayRequest with_header(const std::string& name, const std::string& value) {
    GatewayRequest r;
    r.headers.push_back({name, value});
    return r;
  }

  static GatewayError denied(const std::variant<Admission, Denial>& v) {
    return std::holds_alternative<Denial>(v) ? std::get<Denial>(v).error
                                             : static_cast<GatewayError>(-1);
  }

  Template tmpl_;
  asio::io_context io_;
};

constexpr const char* kFunction = R"(
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
)";

TEST_F(AccessTest, UsagePlansFromResourcesAndSam) {
  auto r = routes(std::string(R"(
Globals:
  Api:
    Auth:
      UsagePlan: {CreateUsagePlan: SHARED}
Resources:
  A:
    Type: AWS::Serverless::Api
    Properties:
      StageName: a
      Auth:
        UsagePlan: {CreateUsagePlan: PER_API, Throttle: {RateLimit: 3}}
  B:
    Type: AWS::Serverless::Api
    Properties:
      StageName: b
      Auth: {UsagePlan: {CreateUsagePlan: SHARED, Quota: {Limit: 9, Period: MONTH}}}
  C:
    Type: AWS::Serverless::Api
    Properties: {StageName: c}
  D:
    Type: AWS::Serverless::Api
    Properties: {StageName: d, Auth: {UsagePlan: {CreateUsagePlan: NONE}}}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: abcdefghijklmnopqrstuvwxyz}
  Off:
    Type: AWS::ApiGateway::ApiKey
    Properties: {}
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages:
        - ApiId: !Ref A
          Stage: a
          Throttle: {"/x/GET": {BurstLimit: 1, RateLimit: 1}}
      Throttle: {BurstLimit: 4}
)") + kFunction + R"(
        X:
          Type: Api
          Properties: {Path: /x, Method: get, RestApiId: !Ref A}
)");
  int generated = 0;
  const auto plans = read_usage_plans(tmpl_, [&](const std::string& id) {
    ++generated;
    return "generated-" + id;
  });
  ASSERT_EQ(plans.keys.size(), 4u);
  EXPECT_EQ(plans.key("Key")->value, kKey);
  EXPECT_FALSE(plans.key("Off")->enabled);  // API Gateway's default
  EXPECT_TRUE(plans.key("Off")->generated);
  EXPECT_EQ(plans.key("AApiKey")->value, "generated-AApiKey");
  EXPECT_TRUE(plans.key("ServerlessApiKey")->enabled);
  ASSERT_EQ(plans.plans.size(), 3u);
  const UsagePlanDef& plan = plans.plans[0];
  EXPECT_EQ(plan.id, "Plan");
  EXPECT_EQ(plan.keys, std::vector<std::string>{"Key"});
  EXPECT_EQ(plan.throttle, (ThrottleLimits{.rate = kAccountRateLimit, .burst = 4}));
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].methods.at("/x/GET"), (ThrottleLimits{.rate = 1, .burst = 1}));
  EXPECT_EQ(plans.plans[1].id, "AUsagePlan");
  EXPECT_EQ(plans.plans[1].throttle, (ThrottleLimits{.rate = 3, .burst = kAccountBurstLimit}));
  const UsagePlanDef& shared = plans.plans[2];
  EXPECT_EQ(shared.id, "ServerlessUsagePlan");
  ASSERT_EQ(shared.stages.size(), 2u);  // B and C (from Globals); not D (NONE), not A (PER_API)
  EXPECT_EQ(shared.stages[0].api, "B");
  EXPECT_EQ(shared.stages[1].stage, "c");
  EXPECT_EQ(shared.quota, (QuotaLimits{.limit = 9, .period = QuotaPeriod::kMonth}));
  EXPECT_EQ(shared.keys, std::vector<std::string>{"ServerlessApiKey"});
}

TEST_F(AccessTest, MethodSettingsPrecedence) {
  auto r = routes(std::string(R"(
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      MethodSettings:
        - {ResourcePath: '/*', HttpMethod: '*', ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50}
        - {ResourcePath: '/*', HttpMethod: POST, ThrottlingRateLimit: 5}
        - {ResourcePath: '/~1pets~1{id}', HttpMethod: '*', ThrottlingBurstLimit: 7}
        - {ResourcePath: '/~1pets~1{id}', HttpMethod: GET, ThrottlingRateLimit: 1}
  Plain:
    Type: AWS::Serverless::Api
    Properties:
      StageName: plain
      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', ThrottlingBurstLimit: -1}]
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: '/pets/{id}', Method: get, RestApiId: !Ref Rest}
        B:
          Type: Api
          Properties: {Path: '/pets/{id}', Method: delete, RestApiId: !Ref Rest}
        C:
          Type: Api
          Properties: {Path: /other, Method: post, RestApiId: !Ref Rest}
        D:
          Type: Api
          Properties: {Path: /plain, Method: get, RestApiId: !Ref Plain}
)");
  EXPECT_EQ(route_throttle(route(*r, "GET /pets/{id}")), (ThrottleLimits{.rate = 1, .burst = 7}));
  EXPECT_EQ(route_throttle(route(*r, "DELETE /pets/{id}")),
            (ThrottleLimits{.rate = 50, .burst = 7}));
  EXPECT_EQ(route_throttle(route(*r, "POST /other")), (ThrottleLimits{.rate = 5, .burst = 100}));
  EXPECT_FALSE(route_throttle(route(*r, "GET /plain")));
}

TEST_F(AccessTest, RouteSettingsPrecedenceAndJwtSelection) {
  auto r = routes(std::string(R"(
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: {ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10}
      RouteSettings:
        "GET /b": {ThrottlingRateLimit: 2}
      Auth:
        DefaultAuthorizer: Main
        Authorizers:
          Main:
            AuthorizationScopes: [read]
            JwtConfiguration: {issuer: 'https://id.example.com', audience: [app]}
          Query:
            IdentitySource: $request.querystring.token
            JwtConfiguration: {Issuer: 'https://other.example.com', Audience: app2}
          Lambda:
            FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:auth
            AuthorizerPayloadFormatVersion: "2.0"
)") + kFunction + R"(
        A:
          Type: HttpApi
          Properties: {Path: /a, Method: get, ApiId: !Ref Http}
        B:
          Type: HttpApi
          Properties:
            Path: /b
            Method: get
            ApiId: !Ref Http
            Auth: {Authorizer: Query, AuthorizationScopes: [x, y]}
            RouteSettings: {ThrottlingBurstLimit: 1}
        C:
          Type: HttpApi
          Properties: {Path: /c, Method: get, ApiId: !Ref Http, Auth: {Authorizer: NONE}}
        D:
          Type: HttpApi
          Properties: {Path: /d, Method: get, ApiId: !Ref Http, Auth: {Authorizer: Lambda}}
)");
  EXPECT_EQ(route_throttle(route(*r, "GET /a")), (ThrottleLimits{.rate = 10, .burst = 20}));
  EXPECT_EQ(route_throttle(route(*r, "GET /b")), (ThrottleLimits{.rate = 2, .burst = 1}));
  ASSERT_EQ(r->apis.size(), 1u);
  const auto authorizers = read_jwt_authorizers(r->apis.front());
  ASSERT_EQ(authorizers.size(), 2u);
  const auto a = route_jwt(route(*r, "GET /a"), authorizers);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->authorizer->name, "Main");
  EXPECT_EQ(a->authorizer->source, "Authorization");
  EXPECT_EQ(a->scopes, std::vector<std::string>{"read"});
  const auto b = route_jwt(route(*r, "GET /b"), authorizers);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->authorizer->issuer, "https://other.example.com");
  EXPECT_EQ(b->authorizer->audiences, std::vector<std::string>{"app2"});
  EXPECT_FALSE(b->authorizer->from_header);
  EXPECT_EQ(b->scopes, (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(route_jwt(route(*r, "GET /c"), authorizers));
  EXPECT_FALSE(route_jwt(route(*r, "GET /d"), authorizers));
}

TEST_F(AccessTest, ApiKeysThrottleAndQuota) {
  auto r = routes(std::string(R"(
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: "'*'"
      Auth: {ApiKeyRequired: true}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: abcdefghijklmnopqrstuvwxyz}
  Off:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: false, Value: zyxwvutsrqponmlkjihgfedcba}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Rest, Stage: dev}]
      Throttle: {BurstLimit: 3, RateLimit: 0.001}
      Quota: {Limit: 2, Period: DAY}
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
  PlanOff:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Off, KeyType: API_KEY, UsagePlanId: !Ref Plan}
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref Rest}
        Open:
          Type: Api
          Properties: {Path: /open, Method: get, RestApiId: !Ref Rest, Auth: {ApiKeyRequired: false}}
)");
  AccessState state(io_.get_executor(), {});
  Access access(*r, tmpl_, state);
  const Route& a = route(*r, "GET /a");
  EXPECT_EQ(denied(check(access, a, {})), GatewayError::kForbidden);
  EXPECT_EQ(denied(check(access, a, with_header("x-api-key", "wrong-wrong-wrong-wrong"))),
            GatewayError::kForbidden);
  EXPECT_EQ(denied(check(access, a, with_header("x-api-key", "zyxwvutsrqponmlkjihgfedcba"))),
            GatewayError::kForbidden);  // disabled
  auto ok = check(access, a, with_header("X-Api-Key", kKey));
  ASSERT_TRUE(std::holds_alternative<Admission>(ok));
  EXPECT_EQ(std::get<Admission>(ok).api_key->id, "Key");
  EXPECT_TRUE(std::holds_alternative<Admission>(check(access, a, with_header("x-api-key", kKey))));
  EXPECT_EQ(denied(check(access, a, with_header("x-api-key", kKey))),
            GatewayError::kQuotaExceeded);  // 2 per day
  EXPECT_EQ(denied(check(access, a, with_header("x-api-key", kKey))),
            GatewayError::kThrottled);  // the burst of 3 is gone (the quota refusal took one)
  // The preflight mock needs the key too (AddApiKeyRequiredToCorsPreflight defaults to true);
  // a route that opts out does not.
  EXPECT_EQ(denied(check(access, route(*r, "OPTIONS /a"), {})), GatewayError::kForbidden);
  EXPECT_TRUE(std::holds_alternative<Admission>(check(access, route(*r, "GET /open"), {})));
  // A redeploy with the same limits keeps the used quota.
  auto again = build_routes(tmpl_);
  Access next(*again, tmpl_, state);
  EXPECT_EQ(denied(check(next, route(*again, "GET /a"), with_header("x-api-key", kKey))),
            GatewayError::kThrottled);
}

TEST_F(AccessTest, ApiKeyFromTheLambdaAuthorizer) {
  auto r = routes(std::string(R"(
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      ApiKeySourceType: AUTHORIZER
      Auth:
        ApiKeyRequired: true
        DefaultAuthorizer: Lambda
        Authorizers:
          Lambda: {FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:auth}
  Headed:
    Type: AWS::Serverless::Api
    Properties:
      StageName: h
      Auth:
        ApiKeyRequired: true
        DefaultAuthorizer: Lambda
        Authorizers:
          Lambda: {FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:auth}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: abcdefghijklmnopqrstuvwxyz}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Rest, Stage: dev}, {ApiId: !Ref Headed, Stage: h}]
      Quota: {Limit: 3, Period: DAY}
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref Rest}
        Bare:
          Type: Api
          Properties: {Path: /bare, Method: get, RestApiId: !Ref Rest, Auth: {Authorizer: NONE}}
        H:
          Type: Api
          Properties: {Path: /h, Method: get, RestApiId: !Ref Headed}
)");
  AccessState state(io_.get_executor(), {});
  Access access(*r, tmpl_, state);
  const Route& a = route(*r, "GET /a");
  ASSERT_TRUE(a.access && a.access->key_from_authorizer);
  const std::string key = kKey;
  const std::string unknown = "not-a-key-of-any-plan-at-all";
  // No usageIdentifierKey: 403, and a valid x-api-key does not stand in for it.
  const auto none = check(access, a, with_header("x-api-key", kKey));
  ASSERT_EQ(denied(none), GatewayError::kForbidden);
  EXPECT_EQ(std::get<Denial>(none).why, "the Lambda authorizer gave no usageIdentifierKey");
  EXPECT_EQ(denied(check(access, a, with_header("x-api-key", kKey), &unknown)),
            GatewayError::kForbidden);
  auto ok = check(access, a, {}, &key);
  ASSERT_TRUE(std::holds_alternative<Admission>(ok));
  EXPECT_EQ(std::get<Admission>(ok).api_key->id, "Key");
  EXPECT_EQ(std::get<Admission>(ok).api_key->value, kKey);
  // A route without a Lambda authorizer has nothing to take the key from.
  const Route& bare = route(*r, "GET /bare");
  EXPECT_FALSE(bare.authorizer);
  const auto bare_denial = check(access, bare, with_header("x-api-key", kKey));
  ASSERT_EQ(denied(bare_denial), GatewayError::kForbidden);
  EXPECT_NE(std::get<Denial>(bare_denial).why.find("no Lambda authorizer"), std::string::npos);
  // HEADER (the default) is unchanged: the authorizer's key is not used.
  const Route& h = route(*r, "GET /h");
  EXPECT_FALSE(h.access->key_from_authorizer);
  EXPECT_EQ(denied(check(access, h, {}, &key)), GatewayError::kForbidden);
  EXPECT_TRUE(std::holds_alternative<Admission>(check(access, h, with_header("x-api-key", kKey))));
  // The key's quota counts both ways of presenting it: 3 a day.
  EXPECT_TRUE(std::holds_alternative<Admission>(check(access, a, {}, &key)));
  EXPECT_EQ(denied(check(access, a, {}, &key)), GatewayError::kQuotaExceeded);
}

TEST_F(AccessTest, SharedPlanCountsAKeyAcrossItsApis) {
  auto r = routes(std::string(R"(
Globals:
  Api:
    Auth:
      ApiKeyRequired: true
      UsagePlan: {CreateUsagePlan: SHARED, Quota: {Limit: 2, Period: DAY}}
Resources:
  A:
    Type: AWS::Serverless::Api
    Properties: {StageName: a}
  B:
    Type: AWS::Serverless::Api
    Properties: {StageName: b}
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref A}
        B:
          Type: Api
          Properties: {Path: /b, Method: get, RestApiId: !Ref B}
)");
  AccessState state(io_.get_executor(), {});
  Access access(*r, tmpl_, state);
  const std::string key = state.generated_key("ServerlessApiKey");
  ASSERT_EQ(key.size(), 40u);
  ASSERT_EQ(access.notes().size(), 1u);
  EXPECT_NE(access.notes()[0].find("for A/a, B/b): x-api-key: " + key), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<Admission>(
      check(access, route(*r, "GET /a"), with_header("x-api-key", key))));
  EXPECT_TRUE(std::holds_alternative<Admission>(
      check(access, route(*r, "GET /b"), with_header("x-api-key", key))));
  EXPECT_EQ(denied(check(access, route(*r, "GET /a"), with_header("x-api-key", key))),
            GatewayError::kQuotaExceeded);
}

TEST_F(AccessTest, JwtFromFileIssuer) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  write("jwks.json", json{{"keys", {testing::rsa_jwk(key, "k1")}}}.dump());
  const std::string issuer = "file://" + (dir_ / "jwks.json").string();
  auto sign = [&](const json& claims) {
    return testing::sign_jwt({{"alg", "RS256"}, {"kid", "k1"}}, claims, key);
  };
  auto r = routes(std::string(R"(
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Main
        Authorizers:
          Main:
            JwtConfiguration: {issuer: ')") +
                  issuer + R"(', audience: [app]}
)" + kFunction + R"(
        A:
          Type: HttpApi
          Properties: {Path: /a, Method: get, ApiId: !Ref Http}
        S:
          Type: HttpApi
          Properties: {Path: /s, Method: get, ApiId: !Ref Http, Auth: {AuthorizationScopes: [admin]}}
)");
  AccessState state(io_.get_executor(), {});
  Access access(*r, tmpl_, state);
  const Route& a = route(*r, "GET /a");
  const auto missing = check(access, a, {});
  ASSERT_EQ(denied(missing), GatewayError::kUnauthorized);
  EXPECT_EQ(std::get<Denial>(missing).www_authenticate, "");
  const long long now = epoch_ms() / 1000;
  const json claims = {{"iss", issuer}, {"aud", "app"}, {"exp", now + 60}, {"scope", "read"}};
  auto ok = check(access, a, with_header("authorization", "Bearer " + sign(claims)));
  ASSERT_TRUE(std::holds_alternative<Admission>(ok));
  EXPECT_EQ(std::get<Admission>(ok).authorizer["jwt"]["claims"]["aud"], "app");
  EXPECT_TRUE(std::get<Admission>(ok).authorizer["jwt"]["scopes"].is_null());
  json expired = claims;
  expired["exp"] = now - 1;
  const auto old = check(access, a, with_header("authorization", sign(expired)));
  ASSERT_EQ(denied(old), GatewayError::kUnauthorized);
  EXPECT_EQ(std::get<Denial>(old).www_authenticate,
            "Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token has "
            "expired\"");
  const auto scoped =
      check(access, route(*r, "GET /s"), with_header("authorization", sign(claims)));
  ASSERT_EQ(denied(scoped), GatewayError::kForbidden);
  EXPECT_EQ(std::get<Denial>(scoped).www_authenticate,
            "Bearer scope=\"admin\" error=\"insufficient_scope\" error_description=\"expected "
            "scopes: [admin]\"");
  EXPECT_EQ(state.jwks().fetches(), 1);
  EVP_PKEY_free(key);
}

}  // namespace
}  // namespace lambdad::gateway
