// Routes of OpenAPI-defined APIs as the gateway builds them from the loader's typed definitions:
// integrations, authorizers, API keys and CORS from the document, events beside it; the mock
// answer and the upstream URL of http_proxy integrations.

#include <gtest/gtest.h>

#include "lambdad/gateway/access.hpp"
#include "lambdad/gateway/integrations.hpp"
#include "lambdad/gateway/routes.hpp"
#include "unit/deploy/template_fixture.hpp"

namespace lambdad::gateway {
namespace {

class OpenApiRoutes : public deploy::testing::TemplateFixture {
 protected:
  const Route& route(const Routes& routes, const std::string& key) {
    for (const auto& r : routes.routes) {
      if (r.route_key() == key) return r;
    }
    throw std::runtime_error("no route " + key);
  }
};

constexpr const char* kTemplate = R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Cors: "'*'"
      DefinitionBody:
        swagger: '2.0'
        securityDefinitions:
          Token:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: custom
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Auth.Arn}/invocations
              identitySource: method.request.header.Authorization
              identityValidationExpression: '^Bearer '
          Key:
            type: apiKey
            name: x-api-key
            in: header
        paths:
          /items/{proxy+}:
            x-amazon-apigateway-any-method:
              security: [{Token: []}]
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
          /keyed:
            get:
              security: [{Key: []}]
              x-amazon-apigateway-integration: {type: aws_proxy, uri: !GetAtt Fn.Arn}
          /both:
            get:
              x-amazon-apigateway-integration: {type: mock}
          /queue:
            post:
              x-amazon-apigateway-integration:
                type: aws
                uri: arn:aws:apigateway:us-east-1:sqs:path/1/q
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: 3.0.1
        x-amazon-apigateway-cors:
          allowOrigins: ['*']
        paths:
          /v2:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: '2.0'
                timeoutInMillis: 1200
                uri: !GetAtt Fn.Arn
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Both:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /both, Method: get}
        Extra:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /extra, Method: get}
  Auth:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
)";

TEST_F(OpenApiRoutes, DocumentRoutesBesideEvents) {
  auto routes = build_routes(load(kTemplate));

  const Route& items = route(*routes, "ANY /items/{proxy+}");
  ASSERT_NE(items.integration, nullptr);
  EXPECT_EQ(items.function, "Fn");
  EXPECT_EQ(items.payload, PayloadVersion::k1);
  EXPECT_EQ(items.api->logical_id, "Rest");
  ASSERT_NE(items.authorizer, nullptr);
  EXPECT_EQ(items.authorizer->name, "Token");
  EXPECT_EQ(items.authorizer->function, "Auth");
  EXPECT_EQ(items.authorizer->format, AuthorizerFormat::kToken);
  EXPECT_NE(items.authorizer->validation, nullptr);
  EXPECT_EQ(items.authorizer->ttl, std::chrono::seconds(300));

  EXPECT_EQ(route(*routes, "GET /keyed").api_key_required, std::optional<bool>(true));

  // The event of the same method and path replaces the document's mock, with a warning.
  const Match both = routes->table.match("GET", {"both"});
  ASSERT_EQ(both.kind, MatchKind::kRoute);
  EXPECT_EQ(both.route->integration, nullptr);
  EXPECT_EQ(both.route->function, "Fn");
  EXPECT_FALSE(routes->warnings.empty());
  EXPECT_EQ(routes->table.match("GET", {"extra"}).route->event, "Fn.Extra");

  EXPECT_EQ(route(*routes, "POST /queue").integration->type,
            openapi::IntegrationType::kUnsupported);

  // SAM's CORS OPTIONS mocks cover the document's paths too.
  EXPECT_TRUE(route(*routes, "OPTIONS /items/{proxy+}").cors_mock);

  const Route& v2 = route(*routes, "GET /v2");
  EXPECT_EQ(v2.payload, PayloadVersion::k2);
  EXPECT_EQ(v2.timeout, std::chrono::milliseconds(1200));
  EXPECT_TRUE(routes->has_http_api);
  ASSERT_TRUE(v2.api->cors);
  EXPECT_EQ(v2.api->cors->allow_origins, std::vector<std::string>{"*"});
  EXPECT_EQ(routes->http_cors, v2.api);
}

TEST(OpenApiIntegrations, UpstreamUrl) {
  openapi::Integration integration;
  integration.type = openapi::IntegrationType::kHttp;
  integration.uri = "http://127.0.0.1:8080/base/{proxy}";
  EXPECT_EQ(upstream_url(integration, {"proxy"}, {"a/b c"}, "x=1&y=2"),
            "http://127.0.0.1:8080/base/a/b%20c?x=1&y=2");
  integration.uri = "http://up/pets/{petId}?fixed=1";
  integration.path_mappings = {{"petId", "id"}};
  EXPECT_EQ(upstream_url(integration, {"id"}, {"7/8"}, "q"), "http://up/pets/7%2F8?fixed=1&q");
  integration.uri = "http://up/plain";
  EXPECT_EQ(upstream_url(integration, {}, {}, ""), "http://up/plain");
}

TEST(OpenApiIntegrations, MockResponse) {
  openapi::Integration integration;
  integration.type = openapi::IntegrationType::kMock;
  integration.mock_status = 202;
  integration.mock_headers = {{"X-Mock", "yes"}};
  integration.mock_body = R"({"ok":true})";
  http::Request request{http::bhttp::verb::get, "/m", 11};
  const http::Response response = mock_response(integration, request);
  EXPECT_EQ(response.result_int(), 202u);
  EXPECT_EQ(response["X-Mock"], "yes");
  EXPECT_EQ(response[http::bhttp::field::content_type], "application/json");
  EXPECT_EQ(response.body(), R"({"ok":true})");
}

TEST(OpenApiIntegrations, UnsupportedAnswersInAwsShape) {
  const ErrorShape rest = error_shape(ApiKind::kRest, GatewayError::kUnsupportedIntegration);
  EXPECT_EQ(rest.status, 500u);
  EXPECT_EQ(rest.error_type, "InternalServerErrorException");
  EXPECT_NE(rest.body.find("lambdad does not run this integration"), std::string_view::npos);
  const auto parsed = nlohmann::json::parse(rest.body);
  EXPECT_TRUE(parsed["message"].is_string());
  EXPECT_EQ(error_shape(ApiKind::kHttp, GatewayError::kUnsupportedIntegration).status, 500u);
}

}  // namespace
}  // namespace lambdad::gateway
