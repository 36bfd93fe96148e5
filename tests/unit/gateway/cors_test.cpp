// CORS on the gateway: the REST OPTIONS mocks SAM adds per path, HTTP API preflight answers and
// response headers, from the settings the loader reads (its reading of SAM's `Cors` /
// `CorsConfiguration` is tested in unit/deploy/template_api_settings_test.cpp).

#include "lambdad/gateway/cors.hpp"

#include <gtest/gtest.h>

#include "lambdad/gateway/routes.hpp"
#include "unit/deploy/template_fixture.hpp"

namespace lambdad::gateway {
namespace {

const std::string* find(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

TEST(GatewayCors, RestOriginOnly) {
  const CorsConfig cors{.allow_origins = {"www.example.com"}};  // `Cors: "'www.example.com'"`
  auto headers = rest_preflight_headers(cors, "GET,OPTIONS");
  EXPECT_EQ(headers, (HeaderList{{"Access-Control-Allow-Methods", "GET,OPTIONS"},
                                 {"Access-Control-Allow-Origin", "www.example.com"}}));
}

TEST(GatewayCors, RestObject) {
  const CorsConfig cors{.allow_origins = {"https://app.example"},
                        .allow_methods = {"POST, GET"},
                        .allow_headers = {"X-Forwarded-For,Content-Type"},
                        .max_age = "600",
                        .allow_credentials = true};
  EXPECT_EQ(rest_preflight_headers(cors, "GET,OPTIONS"),
            (HeaderList{{"Access-Control-Allow-Headers", "X-Forwarded-For,Content-Type"},
                        {"Access-Control-Allow-Methods", "POST, GET"},
                        {"Access-Control-Allow-Origin", "https://app.example"},
                        {"Access-Control-Max-Age", "600"},
                        {"Access-Control-Allow-Credentials", "true"}}));
}

TEST(GatewayCors, RestPathMethods) {
  EXPECT_EQ(rest_path_methods({"GET"}), "GET,OPTIONS");
  EXPECT_EQ(rest_path_methods({"post", "GET"}), "GET,OPTIONS,POST");
  EXPECT_EQ(rest_path_methods({"ANY"}), "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT");
}

TEST(GatewayCors, HttpTrueAllowsEverything) {
  // `CorsConfiguration: true`.
  const std::optional<CorsConfig> cors =
      CorsConfig{.allow_origins = {"*"}, .allow_methods = {"*"}, .allow_headers = {"*"}};
  EXPECT_TRUE(origin_allowed(*cors, "https://anything.example"));
  auto headers = http_preflight_headers(*cors, "https://a.example", "PUT", "X-One, content-type");
  EXPECT_EQ(*find(headers, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(*find(headers, "Access-Control-Allow-Methods"), "PUT");
  EXPECT_EQ(*find(headers, "Access-Control-Allow-Headers"), "x-one,content-type");
  EXPECT_FALSE(find(headers, "Access-Control-Max-Age"));
}

TEST(GatewayCors, HttpPreflightDecisions) {
  const std::optional<CorsConfig> cors =
      CorsConfig{.allow_origins = {"https://app.example", "https://*.example.org"},
                 .allow_methods = {"GET", "post"},
                 .allow_headers = {"Content-Type", "X-Api-Key"},
                 .expose_headers = {"x-total"},
                 .max_age = "600",
                 .allow_credentials = true};
  auto ok = http_preflight_headers(*cors, "https://app.example", "POST", "content-type");
  EXPECT_EQ(ok, (HeaderList{{"Access-Control-Allow-Origin", "https://app.example"},
                            {"Access-Control-Allow-Credentials", "true"},
                            {"Access-Control-Allow-Methods", "GET,post"},
                            {"Access-Control-Allow-Headers", "content-type,x-api-key"},
                            {"Access-Control-Max-Age", "600"}}));
  EXPECT_FALSE(http_preflight_headers(*cors, "https://sub.example.org", "GET", "").empty());
  EXPECT_TRUE(http_preflight_headers(*cors, "https://evil.example", "GET", "").empty());
  EXPECT_TRUE(http_preflight_headers(*cors, "https://app.example", "DELETE", "").empty());
  EXPECT_TRUE(http_preflight_headers(*cors, "https://app.example", "GET", "x-other").empty());
  EXPECT_TRUE(http_preflight_headers(*cors, "https://example.org", "GET", "").empty());
}

TEST(GatewayCors, HttpResponseHeaders) {
  const std::optional<CorsConfig> cors =
      CorsConfig{.allow_origins = {"https://app.example"}, .expose_headers = {"x-total", "date"}};
  HeaderList headers{{"content-type", "text/plain"},
                     {"Access-Control-Allow-Origin", "*"},
                     {"access-control-max-age", "5"}};
  const std::string origin = "https://app.example";
  apply_http_cors(*cors, &origin, headers);
  EXPECT_EQ(headers, (HeaderList{{"content-type", "text/plain"},
                                 {"Access-Control-Allow-Origin", "https://app.example"},
                                 {"Access-Control-Expose-Headers", "x-total,date"}}));
  // A foreign origin or none: the function's CORS headers are still dropped, none added.
  HeaderList other{{"Access-Control-Allow-Origin", "*"}};
  const std::string evil = "https://evil.example";
  apply_http_cors(*cors, &evil, other);
  EXPECT_TRUE(other.empty());
  HeaderList none{{"Access-Control-Allow-Origin", "*"}, {"x", "1"}};
  apply_http_cors(*cors, nullptr, none);
  EXPECT_EQ(none, (HeaderList{{"x", "1"}}));
}

class GatewayCorsRoutes : public deploy::testing::TemplateFixture {};

TEST_F(GatewayCorsRoutes, RestMocksPerPathAndGlobals) {
  auto routes = build_routes(load(R"(
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Cors: "'*'"
  HttpApi:
    CorsConfiguration:
      AllowOrigins: ['https://app.example']
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
          Properties: {Path: /items, Method: get}
        B:
          Type: Api
          Properties: {Path: /items, Method: post}
        C:
          Type: Api
          Properties: {Path: '/items/{id}', Method: any}
        D:
          Type: Api
          Properties: {Path: /own, Method: get}
        E:
          Type: Api
          Properties: {Path: /own, Method: options}
        H:
          Type: HttpApi
          Properties: {Path: /h, Method: get}
)"));
  auto mock = [&](std::vector<std::string> segments) -> const Route* {
    Match m = routes->table.match("OPTIONS", segments);
    return m.kind == MatchKind::kRoute ? m.route : nullptr;
  };
  ASSERT_TRUE(mock({"items"}));
  EXPECT_TRUE(mock({"items"})->cors_mock);
  EXPECT_EQ(mock({"items"})->cors_methods, "GET,OPTIONS,POST");
  ASSERT_TRUE(mock({"items", "7"}));
  EXPECT_TRUE(mock({"items", "7"})->cors_mock);  // an explicit OPTIONS outranks ANY
  EXPECT_EQ(mock({"items", "7"})->cors_methods, "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT");
  ASSERT_TRUE(mock({"own"}));
  EXPECT_FALSE(mock({"own"})->cors_mock);  // the function's own OPTIONS stays
  EXPECT_FALSE(mock({"h"}));               // HTTP APIs get no mock routes
  ASSERT_TRUE(routes->http_cors);
  EXPECT_EQ(routes->http_cors->cors->allow_origins,
            std::vector<std::string>{"https://app.example"});
}

}  // namespace
}  // namespace lambdad::gateway
