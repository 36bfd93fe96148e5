// The gateway's routes as the template loader hands them over: implicit and explicit APIs, their
// stages, variables and binary media types, payload versions, timeouts and shadowed routes.

#include "lambdad/gateway/routes.hpp"

#include <gtest/gtest.h>

#include "unit/deploy/template_fixture.hpp"

namespace lambdad::gateway {
namespace {

class GatewayRoutes : public deploy::testing::TemplateFixture {
 protected:
  const Route& route(const Routes& routes, const std::string& key) {
    for (const auto& r : routes.routes) {
      if (r.route_key() == key) return r;
    }
    throw std::runtime_error("no route " + key);
  }
  Match match(const Routes& routes, std::string_view method, std::vector<std::string> segments) {
    return routes.table.match(method, segments);
  }
};

TEST_F(GatewayRoutes, ImplicitAndExplicitApis) {
  auto routes = build_routes(load(R"(
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    BinaryMediaTypes: ['image~1png']
Resources:
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Variables:
        color: blue
        size: 3
      BinaryMediaTypes: ['application~1octet-stream', '*~1*']
  Stream:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: live
      StageVariables:
        tier: gold
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        A:
          Type: Api
          Properties: {Path: /a, Method: get}
        B:
          Type: Api
          Properties: {Path: '/b/{id}', Method: post, RestApiId: !Ref Shop, TimeoutInMillis: 1500}
        C:
          Type: HttpApi
          Properties: {Path: '/c/{proxy+}', Method: any}
        D:
          Type: HttpApi
          Properties: {Path: /d, Method: GET, ApiId: !Ref Stream, PayloadFormatVersion: 1.0}
        E:
          Type: HttpApi
          Properties: {ApiId: !Ref Stream}
)"));
  EXPECT_TRUE(routes->has_http_api);
  EXPECT_TRUE(routes->warnings.empty());
  ASSERT_EQ(routes->routes.size(), 5u);

  const Route& a = route(*routes, "GET /a");
  EXPECT_EQ(a.api->logical_id, "ServerlessRestApi");
  EXPECT_EQ(a.api->kind, ApiKind::kRest);
  EXPECT_EQ(a.api->stage, "Prod");
  EXPECT_EQ(a.api->binary_media_types, std::vector<std::string>{"image/png"});  // from Globals
  EXPECT_EQ(a.payload, PayloadVersion::k1);
  EXPECT_EQ(a.timeout, std::chrono::milliseconds(29000));
  EXPECT_EQ(a.function, "Fn");
  EXPECT_TRUE(a.api->stage_variables.is_null());

  const Route& b = route(*routes, "POST /b/{id}");
  EXPECT_EQ(b.api->logical_id, "Shop");
  EXPECT_EQ(b.api->stage, "dev");
  EXPECT_EQ(b.api->stage_variables, (nlohmann::json{{"color", "blue"}, {"size", "3"}}));
  // Globals lists are additive, as in SAM.
  EXPECT_EQ(b.api->binary_media_types,
            (std::vector<std::string>{"image/png", "application/octet-stream", "*/*"}));
  EXPECT_EQ(b.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(b.params, std::vector<std::string>{"id"});
  EXPECT_NE(a.api->id, b.api->id);
  EXPECT_EQ(a.api->id.size(), 10u);

  const Route& c = route(*routes, "ANY /c/{proxy+}");
  EXPECT_EQ(c.api->logical_id, "ServerlessHttpApi");
  EXPECT_EQ(c.api->stage, "$default");
  EXPECT_EQ(c.payload, PayloadVersion::k2);
  EXPECT_EQ(c.timeout, std::chrono::milliseconds(30000));

  const Route& d = route(*routes, "GET /d");
  EXPECT_EQ(d.api->logical_id, "Stream");
  EXPECT_EQ(d.api->stage, "live");
  EXPECT_EQ(d.api->stage_variables, (nlohmann::json{{"tier", "gold"}}));
  EXPECT_EQ(d.payload, PayloadVersion::k1);  // PayloadFormatVersion: 1.0 unquoted

  const Route& e = route(*routes, "$default");
  EXPECT_TRUE(e.is_default);
  EXPECT_EQ(e.payload, PayloadVersion::k2);

  EXPECT_EQ(match(*routes, "PUT", {"c", "x", "y"}).route, &c);
  EXPECT_EQ(match(*routes, "GET", {"unknown"}).route, &e);
  EXPECT_EQ(match(*routes, "DELETE", {"a"}).kind, MatchKind::kNoMethod);
}

TEST_F(GatewayRoutes, RestOnlyTemplateHasNoHttpApi) {
  auto routes = build_routes(load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        A:
          Type: Api
          Properties: {Path: /a, Method: get}
)"));
  EXPECT_FALSE(routes->has_http_api);
}

TEST_F(GatewayRoutes, SameRouteOnTwoApisTheLaterWinsWithAWarning) {
  auto routes = build_routes(load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Rest:
          Type: Api
          Properties: {Path: '/same/{id}', Method: GET}
  Second:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Http:
          Type: HttpApi
          Properties: {Path: '/same/{id}', Method: GET}
)"));
  ASSERT_EQ(routes->warnings.size(), 1u);
  EXPECT_NE(routes->warnings[0].find("Second.Http"), std::string::npos) << routes->warnings[0];
  EXPECT_NE(routes->warnings[0].find("replaces First.Rest"), std::string::npos)
      << routes->warnings[0];
  const Match m = match(*routes, "GET", {"same", "1"});
  ASSERT_EQ(m.kind, MatchKind::kRoute);
  EXPECT_EQ(m.route->function, "Second");
}

}  // namespace
}  // namespace lambdad::gateway
