// Which Lambda authorizer guards each route, from SAM templates as the loader hands them over:
// explicit and implicit APIs (Globals), defaults, per-event Authorizer / NONE, the REST CORS mock,
// REST and HTTP API formats, identity sources and TTLs.

#include "lambdad/gateway/authorizer_config.hpp"

#include <gtest/gtest.h>

#include "lambdad/gateway/routes.hpp"
#include "unit/deploy/template_fixture.hpp"

namespace lambdad::gateway {
namespace {

using Kind = IdentitySource::Kind;

class AuthorizerConfigTest : public deploy::testing::TemplateFixture {
 protected:
  static const Route& route(const Routes& routes, const std::string& key,
                            const std::string& api = "") {
    for (const auto& r : routes.routes) {
      if (r.route_key() == key && (api.empty() || r.api->logical_id == api)) return r;
    }
    throw std::runtime_error("no route " + key);
  }
};

TEST_F(AuthorizerConfigTest, RestAuthorizersDefaultsAndPerEventChoices) {
  auto routes = build_routes(load(R"(
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Auth:
      DefaultAuthorizer: Req
      Authorizers:
        Req:
          FunctionArn: !GetAtt AuthFn.Arn
          FunctionPayloadType: REQUEST
          Identity:
            Headers: [X-User]
            QueryStrings: [tenant]
            StageVariables: [tier]
            Context: [identity.sourceIp]
            ReauthorizeEvery: 60
Resources:
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: "'*'"
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok:
            FunctionArn: !Sub ${AuthFn.Arn}
          Strict:
            FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:auth-fn
            Identity: {Header: X-Token, ValidationExpression: 'Bearer .+', ReauthorizeEvery: 0}
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/x
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12, FunctionName: auth-fn}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        A: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref Shop}}
        B: {Type: Api, Properties: {Path: /b, Method: get, RestApiId: !Ref Shop, Auth: {Authorizer: Strict}}}
        C: {Type: Api, Properties: {Path: /c, Method: get, RestApiId: !Ref Shop, Auth: {Authorizer: NONE}}}
        D: {Type: Api, Properties: {Path: /d, Method: get, RestApiId: !Ref Shop, Auth: {Authorizer: Pool}}}
        E: {Type: Api, Properties: {Path: /e, Method: get}}
)"));
  const Route& a = route(*routes, "GET /a");
  ASSERT_NE(a.authorizer, nullptr);
  EXPECT_EQ(a.authorizer->name, "Tok");
  EXPECT_EQ(a.authorizer->api, "Shop");
  EXPECT_EQ(a.authorizer->function, "auth-fn");
  EXPECT_EQ(a.authorizer->format, AuthorizerFormat::kToken);
  EXPECT_EQ(a.authorizer->identity,
            (std::vector<IdentitySource>{{Kind::kHeader, "Authorization"}}));
  EXPECT_EQ(a.authorizer->ttl, std::chrono::seconds(300));  // API Gateway's default
  EXPECT_EQ(a.authorizer->validation, nullptr);
  EXPECT_TRUE(a.authorizer->unusable.empty());

  const Route& b = route(*routes, "GET /b");
  ASSERT_NE(b.authorizer, nullptr);
  EXPECT_EQ(b.authorizer->name, "Strict");
  EXPECT_EQ(b.authorizer->identity, (std::vector<IdentitySource>{{Kind::kHeader, "X-Token"}}));
  EXPECT_EQ(b.authorizer->ttl, std::chrono::seconds(0));
  ASSERT_NE(b.authorizer->validation, nullptr);
  EXPECT_TRUE(std::regex_match("Bearer x", *b.authorizer->validation));

  EXPECT_EQ(route(*routes, "GET /c").authorizer, nullptr);  // NONE
  EXPECT_EQ(route(*routes, "GET /d").authorizer, nullptr);  // Cognito: not a Lambda authorizer

  // The implicit API's authorizer comes from Globals.Api.Auth.
  const Route& e = route(*routes, "GET /e");
  ASSERT_NE(e.authorizer, nullptr);
  EXPECT_EQ(e.authorizer->api, "ServerlessRestApi");
  EXPECT_EQ(e.authorizer->format, AuthorizerFormat::kRequest);
  EXPECT_EQ(e.authorizer->function, "auth-fn");
  EXPECT_EQ(e.authorizer->identity,
            (std::vector<IdentitySource>{{Kind::kHeader, "X-User"},
                                         {Kind::kQuery, "tenant"},
                                         {Kind::kStageVariable, "tier"},
                                         {Kind::kContext, "identity.sourceIp"}}));
  EXPECT_EQ(e.authorizer->ttl, std::chrono::seconds(60));

  // SAM puts the default authorizer on the CORS mock.
  const Route& mock = route(*routes, "OPTIONS /a", "Shop");
  ASSERT_TRUE(mock.cors_mock);
  ASSERT_NE(mock.authorizer, nullptr);
  EXPECT_EQ(mock.authorizer->name, "Tok");
}

TEST_F(AuthorizerConfigTest, PreflightWithoutTheDefaultAuthorizerWhenSamIsToldSo) {
  auto routes = build_routes(load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: "'*'"
      Auth:
        DefaultAuthorizer: Tok
        AddDefaultAuthorizerToCorsPreflight: false
        Authorizers:
          Tok: {FunctionArn: !GetAtt Fn.Arn}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        A: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref Shop}}
)"));
  EXPECT_NE(route(*routes, "GET /a").authorizer, nullptr);
  EXPECT_EQ(route(*routes, "OPTIONS /a").authorizer, nullptr);
}

TEST_F(AuthorizerConfigTest, HttpApiAuthorizers) {
  auto routes = build_routes(load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Simple
        Authorizers:
          Simple:
            FunctionArn: !GetAtt Fn.Arn
            AuthorizerPayloadFormatVersion: 2.0
            EnableSimpleResponses: true
            Identity: {Headers: [Authorization], ReauthorizeEvery: 30}
          Policy:
            FunctionArn: !GetAtt Fn.Arn
            AuthorizerPayloadFormatVersion: "1.0"
          Jwt:
            JwtConfiguration: {issuer: 'https://issuer.example', audience: [a]}
            IdentitySource: $request.header.Authorization
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        A: {Type: HttpApi, Properties: {Path: /a, Method: get, ApiId: !Ref Http}}
        B: {Type: HttpApi, Properties: {Path: /b, Method: get, ApiId: !Ref Http, Auth: {Authorizer: Policy}}}
        C: {Type: HttpApi, Properties: {Path: /c, Method: get, ApiId: !Ref Http, Auth: {Authorizer: Jwt}}}
        D: {Type: HttpApi, Properties: {Path: /d, Method: get, ApiId: !Ref Http, Auth: {Authorizer: NONE}}}
)"));
  EXPECT_TRUE(routes->warnings.empty());
  const Route& a = route(*routes, "GET /a");
  ASSERT_NE(a.authorizer, nullptr);
  EXPECT_EQ(a.authorizer->format, AuthorizerFormat::kHttp2);
  EXPECT_TRUE(a.authorizer->simple_responses);
  EXPECT_EQ(a.authorizer->identity,
            (std::vector<IdentitySource>{{Kind::kHeader, "Authorization"}}));
  EXPECT_EQ(a.authorizer->ttl, std::chrono::seconds(30));
  EXPECT_EQ(a.authorizer->function, "Fn");

  const Route& b = route(*routes, "GET /b");
  ASSERT_NE(b.authorizer, nullptr);
  EXPECT_EQ(b.authorizer->format, AuthorizerFormat::kHttp1);
  EXPECT_FALSE(b.authorizer->simple_responses);
  EXPECT_TRUE(b.authorizer->identity.empty());
  EXPECT_EQ(b.authorizer->ttl, std::chrono::seconds(0));  // no identity source: no cache

  EXPECT_EQ(route(*routes, "GET /c").authorizer, nullptr);  // JWT: not a Lambda authorizer
  EXPECT_EQ(route(*routes, "GET /d").authorizer, nullptr);
}

TEST_F(AuthorizerConfigTest, WhatCannotBeUsedFailsClosed) {
  // An authorizer the loader marked unusable (its FunctionArn names no function), and one whose
  // validation expression does not compile (an OpenAPI document's is only compiled here).
  Template tmpl;
  ApiConfig api{.logical_id = "Api", .type = "AWS::Serverless::Api", .stage_name = "Prod"};
  api.settings.auth.default_authorizer = "Broken";
  api.settings.auth.lambda_authorizers.push_back(
      {.name = "Broken", .unusable = "its FunctionArn is not a function lambdad can resolve"});
  api.settings.auth.lambda_authorizers.push_back(
      {.name = "BadRegex", .function = "fn", .validation_expression = "("});
  tmpl.apis.push_back(api);
  FunctionConfig fn{.logical_id = "Fn", .name = "Fn"};
  fn.events.push_back(
      EventSource{.name = "A",
                  .type = "Api",
                  .route = api::EventRoute{.api = "Api", .method = "GET", .path = "/a"}});
  fn.events.push_back(EventSource{
      .name = "B",
      .type = "Api",
      .route =
          api::EventRoute{.api = "Api", .method = "GET", .path = "/b", .authorizer = "BadRegex"}});
  tmpl.functions.push_back(fn);
  auto routes = build_routes(tmpl);
  const Route& a = route(*routes, "GET /a");
  ASSERT_NE(a.authorizer, nullptr);
  EXPECT_EQ(a.authorizer->unusable, "its FunctionArn is not a function lambdad can resolve");
  const Route& b = route(*routes, "GET /b");
  ASSERT_NE(b.authorizer, nullptr);
  EXPECT_EQ(b.authorizer->validation, nullptr);
  EXPECT_FALSE(b.authorizer->unusable.empty());
}

}  // namespace
}  // namespace lambdad::gateway
