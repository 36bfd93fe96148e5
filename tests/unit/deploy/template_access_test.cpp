// What guards the gateway's routes, as the template loader checks it: JWT authorizers (HTTP API
// Auth), API keys and usage plans (REST Auth, AWS::ApiGateway::* resources), throttle settings;
// each mistake reported at its line.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class TemplateAccessTest : public TemplateFixture {};

constexpr const char* kFunction = R"(
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
)";

TEST_F(TemplateAccessTest, ValidSettingsLoad) {
  const Template t = load(std::string(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: {ThrottlingBurstLimit: 5, ThrottlingRateLimit: 2.5}
      RouteSettings:
        "GET /a": {ThrottlingBurstLimit: 1}
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            AuthorizationScopes: [read]
            JwtConfiguration: {issuer: 'https://id.example.com', audience: [app]}
          Lambda:
            FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:auth
            AuthorizerPayloadFormatVersion: "2.0"
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      MethodSettings:
        - {ResourcePath: '/*', HttpMethod: '*', ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5}
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          Quota: {Limit: 100, Period: DAY}
          Throttle: {BurstLimit: 2, RateLimit: 1}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: abcdefghijklmnopqrstuvwxyz}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Rest, Stage: !Ref Rest.Stage}]
      Quota: {Limit: 5, Period: WEEK, Offset: 1}
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
)") + kFunction + R"(
        A:
          Type: HttpApi
          Properties: {Path: /a, Method: get, ApiId: !Ref Http, Auth: {Authorizer: NONE}}
        B:
          Type: HttpApi
          Properties:
            Path: /b
            Method: get
            ApiId: !Ref Http
            Auth: {Authorizer: Jwt, AuthorizationScopes: [write]}
            RouteSettings: {ThrottlingRateLimit: 1}
        C:
          Type: Api
          Properties: {Path: /c, Method: get, RestApiId: !Ref Rest, Auth: {ApiKeyRequired: false}}
)");
  ASSERT_EQ(t.usage_plans.keys.size(), 1u);
  ASSERT_EQ(t.usage_plans.plans.size(), 1u);
  ASSERT_EQ(t.usage_plans.plan_keys.size(), 1u);
  ASSERT_EQ(t.usage_plans.plans[0].stages.size(), 1u);
  EXPECT_EQ(t.usage_plans.plans[0].stages[0].api, "Rest");
  EXPECT_EQ(t.usage_plans.plans[0].stages[0].stage, "dev");
  EXPECT_EQ(t.usage_plans.plans[0].quota,
            (api::Quota{.limit = 5, .period = api::QuotaPeriod::kWeek, .offset = 1}));
  EXPECT_EQ(t.usage_plans.plan_keys[0].key, "Key");
  EXPECT_EQ(t.usage_plans.plan_keys[0].plan, "Plan");
  // The events' settings, typed for the gateway.
  const auto& events = t.functions.at(0).events;
  ASSERT_EQ(events.size(), 3u);
  ASSERT_TRUE(events[1].route);
  EXPECT_EQ(events[1].route->authorizer, "Jwt");
  EXPECT_EQ(events[1].route->scopes, std::vector<std::string>{"write"});
  EXPECT_EQ(events[1].route->throttle, (api::Throttle{.rate = 1}));
  EXPECT_EQ(events[2].route->api_key_required, false);
}

TEST_F(TemplateAccessTest, HttpApiAuthMistakes) {
  EXPECT_THAT(errors(std::string(R"(
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Missing
        Authorizers:
          NoConfig: {IdentitySource: $request.header.Authorization}
          BadSource:
            IdentitySource: $context.identity.sourceIp
            JwtConfiguration: {issuer: x, audience: [a]}
          NoIssuer:
            JwtConfiguration: {audience: a, color: red}
        Typo: 1
)") + kFunction + R"(
        A:
          Type: HttpApi
          Properties: {Path: /a, Method: get, ApiId: !Ref Http, Auth: {Authorizer: Nope}}
)"),
              UnorderedElementsAre(
                  ProblemLike(6, "'Missing' was not defined in 'Authorizers'"),
                  ProblemLike(8, "NoConfig needs JwtConfiguration"),
                  ProblemLike(10, "must be $request.header.NAME or $request.querystring.NAME"),
                  ProblemLike(13, "unknown property 'color'"),
                  ProblemLike(13, "issuer is required"), ProblemLike(14, "unknown property 'Typo'"),
                  ProblemLike(24, "Unable to set Authorizer [Nope]")));
}

TEST_F(TemplateAccessTest, RestUsagePlanAndThrottleMistakes) {
  EXPECT_THAT(errors(std::string(R"(
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      MethodSettings:
        - {ResourcePath: pets, ThrottlingRateLimit: fast}
        - {ThrottlingBurstLimit: -5}
      Auth:
        ApiKeyRequired: yes please
        UsagePlan:
          CreateUsagePlan: SINGLE
          Quota: {Limit: 10, Period: YEAR}
          Throttle: {BurstLimit: -1}
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref Rest, Auth: {ApiKeyRequired: 3}}
)"),
              UnorderedElementsAre(ProblemLike(7, "ThrottlingRateLimit must be a number"),
                                   ProblemLike(7, "ResourcePath must start with /"),
                                   ProblemLike(8, "ThrottlingBurstLimit must be a whole number"),
                                   ProblemLike(10, "ApiKeyRequired must be true or false"),
                                   ProblemLike(12, "must be one of NONE, PER_API, SHARED"),
                                   ProblemLike(13, "Period must be one of DAY, MONTH, WEEK"),
                                   ProblemLike(14, "BurstLimit must be a whole number"),
                                   ProblemLike(26, "ApiKeyRequired must be true or false")));
}

TEST_F(TemplateAccessTest, ApiKeySourceTypeValues) {
  const Template t = load(std::string(R"(
Resources:
  Header:
    Type: AWS::Serverless::Api
    Properties: {StageName: h, ApiKeySourceType: HEADER}
  Authorizer:
    Type: AWS::Serverless::Api
    Properties: {StageName: a, ApiKeySourceType: AUTHORIZER}
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref Authorizer}
)");
  ASSERT_EQ(t.apis.size(), 2u);
  EXPECT_EQ(t.apis[0].settings.api_key_source, "HEADER");
  EXPECT_EQ(t.apis[1].settings.api_key_source, "AUTHORIZER");
  // No route requires a key, so none lacks an authorizer to give it.
  for (const auto& warning : t.warning_lines) {
    EXPECT_THAT(warning.message, Not(HasSubstr("ApiKeySourceType")));
  }

  EXPECT_THAT(errors(std::string(R"(
Parameters:
  Source: {Type: String, Default: BOTH}
Globals:
  Api:
    ApiKeySourceType: AUTHORIZER
Resources:
  Lower:
    Type: AWS::Serverless::Api
    Properties: {StageName: l, ApiKeySourceType: header}
  Listed:
    Type: AWS::Serverless::Api
    Properties:
      StageName: x
      ApiKeySourceType: [HEADER]
  FromParameter:
    Type: AWS::Serverless::Api
    Properties: {StageName: p, ApiKeySourceType: !Ref Source}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties: {ApiKeySourceType: HEADER}
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref Lower}
)"),
              UnorderedElementsAre(
                  // As SAM: not one of the properties Globals.Api may set.
                  ProblemLike(5, "Globals.Api: 'ApiKeySourceType' is not supported in Globals"),
                  ProblemLike(9, "ApiKeySourceType must be HEADER or AUTHORIZER, got 'header'"),
                  ProblemLike(14, "ApiKeySourceType must be HEADER or AUTHORIZER, got a list"),
                  ProblemLike(17, "ApiKeySourceType must be HEADER or AUTHORIZER, got 'BOTH'"),
                  ProblemLike(20,
                              "unknown property 'ApiKeySourceType' (SAM rejects it for "
                              "AWS::Serverless::HttpApi)")));
}

TEST_F(TemplateAccessTest, AuthorizerKeySourceWithoutLambdaAuthorizerIsAWarning) {
  const Template t = load(std::string(R"(
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
          Lambda: {FunctionArn: !GetAtt Fn.Arn}
          Pool: {UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/x}
)") + kFunction + R"(
        Guarded:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref Rest}
        Open:
          Type: Api
          Properties: {Path: /b, Method: get, RestApiId: !Ref Rest, Auth: {Authorizer: NONE}}
        Cognito:
          Type: Api
          Properties: {Path: /c, Method: get, RestApiId: !Ref Rest, Auth: {Authorizer: Pool}}
        NoKey:
          Type: Api
          Properties:
            Path: /d
            Method: get
            RestApiId: !Ref Rest
            Auth: {Authorizer: NONE, ApiKeyRequired: false}
)");
  const std::string message = "requires a key and has no Lambda authorizer: it answers 403";
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(25, "event 'Open': api 'Rest'")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(25, message)));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(28, message)));
  EXPECT_THAT(t.warning_lines, Not(Contains(WarningLike(22, message))));
  EXPECT_THAT(t.warning_lines, Not(Contains(WarningLike(31, message))));
}

TEST_F(TemplateAccessTest, UsagePlanResourceLinks) {
  EXPECT_THAT(errors(std::string(R"(
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties: {StageName: dev}
  Short:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: tooshort}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      # An ApiId that is no AWS::Serverless::Api (a RestApi lambdad does not serve) is a warning.
      ApiStages: [{ApiId: !Ref Rest, Stage: Prod}, {ApiId: !Ref Fn, Stage: dev}]
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Plan, UsagePlanId: !Ref Plan}
)") + kFunction + R"(
        A:
          Type: Api
          Properties: {Path: /a, Method: get, RestApiId: !Ref Rest}
)"),
              UnorderedElementsAre(ProblemLike(7, "at least 20 characters"),
                                   ProblemLike(8,
                                               "ApiStages.Stage 'Prod' is not the stage of api "
                                               "'Rest' (dev)"),
                                   ProblemLike(13,
                                               "KeyId must be a Ref to an "
                                               "AWS::ApiGateway::ApiKey"),
                                   ProblemLike(15, "KeyType is required")));
}

TEST_F(TemplateAccessTest, DisabledKeyIsAWarning) {
  const Template t = load(R"(
Resources:
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Value: abcdefghijklmnopqrstuvwxyz}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
)");
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(2, "not Enabled: true")));
}

}  // namespace
}  // namespace lambdad::deploy::testing
