// The typed settings the loader hands the gateway (lambdad/common/api_settings.hpp), read once
// from a template: stage variables and binary media types, REST and HTTP API CORS (SAM's quoted
// values), stage and route throttles (`~1` paths, -1 as unset), JWT authorizers, SAM usage
// plans, each event's route, and a Lambda authorizer the gateway cannot use.

#include <gtest/gtest.h>

#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::HasSubstr;

class TemplateApiSettingsTest : public TemplateFixture {
 protected:
  /// The template with a function `Fn` whose Events map is `events`.
  static std::string with(const std::string& resources, const std::string& events) {
    return "Resources:\n" + resources + R"(  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
)" + events;
  }

  static const ApiConfig& api(const Template& t, const std::string& logical_id) {
    for (const auto& a : t.apis) {
      if (a.logical_id == logical_id) return a;
    }
    throw std::runtime_error("no api " + logical_id);
  }

  static const api::EventRoute& route(const Template& t, const std::string& event) {
    for (const auto& e : t.functions.at(0).events) {
      if (e.name == event && e.route) return *e.route;
    }
    throw std::runtime_error("no event " + event);
  }
};

TEST_F(TemplateApiSettingsTest, StageVariablesAndBinaryMediaTypes) {
  const Template t = load(with(R"(  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Variables: {color: blue, size: 3, ratio: 1.0, flag: true}
      BinaryMediaTypes: [image~1png, 'application/octet-stream']
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageVariables: {tier: gold}
)",
                               "        A: {Type: Api, Properties: {Path: /a, Method: get, "
                               "RestApiId: !Ref Rest}}\n"));
  const api::ApiSettings& rest = api(t, "Rest").settings;
  EXPECT_EQ(rest.stage_variables,
            (std::map<std::string, std::string>{
                {"color", "blue"}, {"size", "3"}, {"ratio", "1.0"}, {"flag", "true"}}));
  EXPECT_EQ(rest.binary_media_types,
            (std::vector<std::string>{"image/png", "application/octet-stream"}));
  const api::ApiSettings& http = api(t, "Http").settings;
  EXPECT_EQ(http.stage_variables, (std::map<std::string, std::string>{{"tier", "gold"}}));
  EXPECT_TRUE(http.binary_media_types.empty());
}

TEST_F(TemplateApiSettingsTest, RestCorsSamQuotesRemoved) {
  const Template t = load(with(R"(  Origin:
    Type: AWS::Serverless::Api
    Properties: {StageName: a, Cors: "'www.example.com'"}
  Full:
    Type: AWS::Serverless::Api
    Properties:
      StageName: b
      Cors:
        AllowMethods: "'POST, GET'"
        AllowHeaders: "'X-Forwarded-For,Content-Type'"
        AllowOrigin: " 'https://app.example' "
        MaxAge: "'600'"
        AllowCredentials: true
  Numeric:
    Type: AWS::Serverless::Api
    Properties: {StageName: c, Cors: {AllowOrigin: "'*'", MaxAge: 300}}
  NoOrigin:
    Type: AWS::Serverless::Api
    Properties: {StageName: d, Cors: {AllowMethods: "'GET'"}}
  Unquoted:
    Type: AWS::Serverless::Api
    Properties: {StageName: e, Cors: "https://a.example"}
)",
                               "        A: {Type: Api, Properties: {Path: /a, Method: get}}\n"));
  EXPECT_EQ(api(t, "Origin").settings.cors, api::Cors{.allow_origins = {"www.example.com"}});
  EXPECT_EQ(api(t, "Full").settings.cors,
            (api::Cors{.allow_origins = {"https://app.example"},
                       .allow_methods = {"POST, GET"},  // a REST value is one header value
                       .allow_headers = {"X-Forwarded-For,Content-Type"},
                       .max_age = "600",
                       .allow_credentials = true}));
  ASSERT_TRUE(api(t, "Numeric").settings.cors);
  EXPECT_EQ(api(t, "Numeric").settings.cors->max_age, "300");
  EXPECT_FALSE(api(t, "NoOrigin").settings.cors);  // SAM requires AllowOrigin
  EXPECT_EQ(api(t, "Unquoted").settings.cors->allow_origins,
            std::vector<std::string>{"https://a.example"});
  EXPECT_FALSE(api(t, "ServerlessRestApi").settings.cors);
}

TEST_F(TemplateApiSettingsTest, HttpCors) {
  const Template t = load(with(R"(  All:
    Type: AWS::Serverless::HttpApi
    Properties: {CorsConfiguration: true}
  Off:
    Type: AWS::Serverless::HttpApi
    Properties: {CorsConfiguration: false}
  Listed:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ["https://app.example", "https://*.example.org"]
        AllowMethods: "GET, post"
        AllowHeaders: [Content-Type, X-Api-Key]
        ExposeHeaders: [x-total]
        MaxAge: 600
        AllowCredentials: 'true'
)",
                               "        A: {Type: HttpApi, Properties: {ApiId: !Ref All}}\n"));
  EXPECT_EQ(api(t, "All").settings.cors,
            (api::Cors{.allow_origins = {"*"}, .allow_methods = {"*"}, .allow_headers = {"*"}}));
  EXPECT_FALSE(api(t, "Off").settings.cors);
  EXPECT_EQ(api(t, "Listed").settings.cors,
            (api::Cors{.allow_origins = {"https://app.example", "https://*.example.org"},
                       .allow_methods = {"GET", "post"},
                       .allow_headers = {"Content-Type", "X-Api-Key"},
                       .expose_headers = {"x-total"},
                       .max_age = "600",
                       .allow_credentials = true}));
}

TEST_F(TemplateApiSettingsTest, ThrottleSettings) {
  const Template t = load(with(
      R"(  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      MethodSettings:
        - {ResourcePath: '/~1pets~1{id}', HttpMethod: get, ThrottlingRateLimit: 1}
        - {ResourcePath: '/~1a~0b', HttpMethod: '*', ThrottlingBurstLimit: '7'}
        - {ResourcePath: /plain/path, HttpMethod: Post, ThrottlingRateLimit: '2'}
        - {ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: -1, ThrottlingBurstLimit: -1}
        - {ResourcePath: '/*', HttpMethod: '*', LoggingLevel: INFO}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: {ThrottlingBurstLimit: 5, ThrottlingRateLimit: 2.5}
      RouteSettings:
        "GET /a": {ThrottlingBurstLimit: 1}
        "GET /b": {LoggingLevel: INFO}
)",
      R"(        A: {Type: Api, Properties: {Path: '/pets/{id}', Method: get, RestApiId: !Ref Rest}}
        B:
          Type: HttpApi
          Properties: {Path: /a, Method: get, ApiId: !Ref Http, RouteSettings: {ThrottlingRateLimit: 3}}
)"));
  // Paths decoded, methods upper case; entries that set no limit (or -1) are left out.
  EXPECT_EQ(api(t, "Rest").settings.method_settings,
            (std::vector<api::MethodSetting>{{"/pets/{id}", "GET", {.rate = 1}},
                                             {"/a~b", "*", {.burst = 7}},
                                             {"/plain/path", "POST", {.rate = 2}}}));
  const api::ApiSettings& http = api(t, "Http").settings;
  EXPECT_EQ(http.default_route_throttle, (api::Throttle{.rate = 2.5, .burst = 5}));
  EXPECT_EQ(http.route_throttles, (std::map<std::string, api::Throttle>{{"GET /a", {.burst = 1}}}));
  EXPECT_EQ(route(t, "B").throttle, (api::Throttle{.rate = 3}));
  EXPECT_TRUE(route(t, "A").throttle.empty());  // REST events throttle through MethodSettings
}

TEST_F(TemplateApiSettingsTest, JwtAuthorizersAndOthers) {
  const Template t = load(with(R"(  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Header
        Authorizers:
          Header:
            JwtConfiguration: {issuer: 'https://id.example', audience: [a, b]}
            AuthorizationScopes: [read]
          Query:
            IdentitySource: $request.querystring.token
            JwtConfiguration: {Issuer: 'https://other.example', Audience: [c]}
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        Authorizers:
          Pool: {UserPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/x'}
)",
                               "        A: {Type: HttpApi, Properties: {ApiId: !Ref Http}}\n"));
  const api::Auth& http = api(t, "Http").settings.auth;
  EXPECT_EQ(http.default_authorizer, "Header");
  EXPECT_EQ(http.jwt_authorizers,
            (std::vector<api::JwtAuthorizer>{{.name = "Header",
                                              .issuer = "https://id.example",
                                              .audiences = {"a", "b"},
                                              .scopes = {"read"},
                                              .from_header = true,
                                              .source = "Authorization"},
                                             {.name = "Query",
                                              .issuer = "https://other.example",
                                              .audiences = {"c"},
                                              .from_header = false,
                                              .source = "token"}}));
  EXPECT_TRUE(http.lambda_authorizers.empty());
  const api::Auth& rest = api(t, "Rest").settings.auth;
  EXPECT_EQ(rest.other_authorizers, std::vector<std::string>{"Pool"});
  EXPECT_TRUE(rest.has_authorizer("Pool"));
  EXPECT_FALSE(rest.has_authorizer("Header"));
}

TEST_F(TemplateApiSettingsTest, ApiKeysAndSamUsagePlans) {
  const Template t = load(with(R"(  PerApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: a
      Auth:
        ApiKeyRequired: true
        AddApiKeyRequiredToCorsPreflight: false
        UsagePlan: {CreateUsagePlan: PER_API, Throttle: {RateLimit: 3}, Quota: {Limit: 9, Period: MONTH}}
  Shared:
    Type: AWS::Serverless::Api
    Properties: {StageName: b, Auth: {UsagePlan: {CreateUsagePlan: SHARED}}}
  None:
    Type: AWS::Serverless::Api
    Properties: {StageName: c, Auth: {UsagePlan: {CreateUsagePlan: NONE}}}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages:
        - ApiId: !Ref PerApi
          Stage: a
          Throttle: {"/pets/GET": {RateLimit: 2}, "/other/GET": {}}
      Throttle: {BurstLimit: 4}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: 'true'}
)",
                               "        A: {Type: Api, Properties: {Path: /a, Method: get, "
                               "RestApiId: !Ref PerApi, Auth: {ApiKeyRequired: false}}}\n"));
  const api::Auth& per_api = api(t, "PerApi").settings.auth;
  EXPECT_TRUE(per_api.api_key_required);
  EXPECT_FALSE(per_api.api_key_on_preflight);
  EXPECT_EQ(
      per_api.usage_plan,
      (api::SamUsagePlan{.shared = false,
                         .throttle = {.rate = 3},
                         .quota = api::Quota{.limit = 9, .period = api::QuotaPeriod::kMonth}}));
  EXPECT_EQ(api(t, "Shared").settings.auth.usage_plan, api::SamUsagePlan{.shared = true});
  EXPECT_FALSE(api(t, "None").settings.auth.usage_plan);
  EXPECT_FALSE(api(t, "None").settings.auth.api_key_required);

  ASSERT_EQ(t.usage_plans.plans.size(), 1u);
  const api::UsagePlan& plan = t.usage_plans.plans[0];
  EXPECT_EQ(plan.throttle, (api::Throttle{.burst = 4}));
  EXPECT_FALSE(plan.quota);
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].methods,
            (std::map<std::string, api::Throttle>{{"/pets/GET", {.rate = 2}}}));
  ASSERT_EQ(t.usage_plans.keys.size(), 1u);
  EXPECT_EQ(t.usage_plans.keys[0].value, "");  // the gateway makes one up
  EXPECT_TRUE(t.usage_plans.keys[0].enabled);
  EXPECT_EQ(route(t, "A").api_key_required, false);
}

TEST_F(TemplateApiSettingsTest, EventRoutes) {
  const Template t = load(with(R"(  Http:
    Type: AWS::Serverless::HttpApi
)",
                               R"(        Default: {Type: HttpApi, Properties: {ApiId: !Ref Http}}
        Old:
          Type: HttpApi
          Properties: {Path: /old, Method: post, ApiId: !Ref Http, PayloadFormatVersion: "1.0", TimeoutInMillis: 5000}
        Rest:
          Type: Api
          Properties: {Path: /r, Method: any, Auth: {Authorizer: AWS_IAM, ApiKeyRequired: 'TRUE'}}
)"));
  EXPECT_EQ(
      route(t, "Default"),
      (api::EventRoute{.api = "Http", .method = "ANY", .path = "$default", .payload_v2 = true}));
  EXPECT_EQ(route(t, "Old"), (api::EventRoute{.api = "Http",
                                              .method = "POST",
                                              .path = "/old",
                                              .payload_v2 = false,
                                              .timeout = std::chrono::milliseconds(5000)}));
  EXPECT_EQ(route(t, "Rest"), (api::EventRoute{.api = "ServerlessRestApi",
                                               .method = "ANY",
                                               .path = "/r",
                                               .authorizer = "AWS_IAM",
                                               .api_key_required = true}));
}

TEST_F(TemplateApiSettingsTest, AnAuthorizerWithoutAFunctionIsKeptUnusableWithAWarning) {
  const std::string long_name(70, 'f');  // longer than a function name may be
  const Template t = load(with(R"(  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: Broken
        Authorizers:
          Broken:
            FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:)" +
                                   long_name + "\n",
                               "        A: {Type: Api, Properties: {Path: /a, Method: get, "
                               "RestApiId: !Ref Shop}}\n"));
  const auto& authorizers = api(t, "Shop").settings.auth.lambda_authorizers;
  ASSERT_EQ(authorizers.size(), 1u);
  EXPECT_EQ(authorizers[0].unusable, "its FunctionArn is not a function lambdad can resolve");
  bool warned = false;
  for (const auto& warning : t.warning_lines) {
    if (warning.message.find("authorizer Broken cannot be used") == std::string::npos) continue;
    warned = true;
    EXPECT_EQ(warning.line, 9);  // the authorizer's
    EXPECT_THAT(warning.message, HasSubstr("the routes it guards answer 500"));
  }
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace lambdad::deploy::testing
