// Events as API Gateway builds them, against golden files modelled on AWS's documented examples
// (tests/unit/gateway/golden/). The volatile parts (ids, time, trace id) are pinned, so the
// comparison is exact.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lambdad/common/encoding.hpp"
#include "lambdad/gateway/http_api_event.hpp"
#include "lambdad/gateway/rest_event.hpp"
#include "lambdad/gateway/routes.hpp"
#include "unit/gateway/event_fixture.hpp"

namespace lambdad::gateway {
namespace {

using json = nlohmann::json;
using fixtures::Fixture;
using fixtures::make_request;
using fixtures::peer;
namespace bhttp = http::bhttp;

json golden(const std::string& name) {
  std::ifstream in(std::string(LAMBDAD_SOURCE_DIR) + "/tests/unit/gateway/golden/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

void expect_golden(const json& event, const std::string& name) {
  const json expected = golden(name);
  EXPECT_EQ(event, expected) << name << " differs (JSON patch from golden to actual):\n"
                             << json::diff(expected, event).dump(2) << "\nactual:\n"
                             << event.dump(2);
}

const std::vector<std::pair<std::string, std::string>> kDocHeaders = {
    {"Host", "id.execute-api.us-east-1.amazonaws.com"},
    {"header1", "value1"},
    {"header2", "value1"},
    {"header2", "value2"},
    {"User-Agent", "agent"},
    {"X-Amzn-Trace-Id", "Root=1-5e66d96f-7491f09xmpl79d18acf3d050"},
    {"Connection", "keep-alive"},  // hop-by-hop: not passed on
};

TEST(GatewayEvent, RestPayload1MatchesGolden) {
  Fixture f(
      ApiKind::kRest, "ServerlessRestApi", "Prod", "GET", "/my/path",
      make_request(bhttp::verb::get,
                   "/my/path?parameter1=value1&parameter1=value2&parameter2=value", kDocHeaders));
  expect_golden(build_v1_event(f.input()), "rest_v1_event.json");
}

TEST(GatewayEvent, RestPathParametersBodyAndStageVariables) {
  Fixture f(ApiKind::kRest, "MyApi", "dev", "POST", "/pets/{id}/{proxy+}",
            make_request(bhttp::verb::post, "/pets/a%20b/c/d%2Fe?q=%41+b",
                         {{"Host", "localhost:3000"}, {"Content-Type", "application/json"}},
                         R"({"name":"rex"})"));
  f.api.stage_variables = {{"tier", "gold"}};
  const json event = build_v1_event(f.input());
  EXPECT_EQ(event["path"], "/pets/a b/c/d/e");
  EXPECT_EQ(event["resource"], "/pets/{id}/{proxy+}");
  EXPECT_EQ(event["pathParameters"], (json{{"id", "a b"}, {"proxy", "c/d/e"}}));
  EXPECT_EQ(event["queryStringParameters"], (json{{"q", "A+b"}}));  // `+` stays
  EXPECT_EQ(event["stageVariables"], (json{{"tier", "gold"}}));
  EXPECT_EQ(event["body"], R"({"name":"rex"})");
  EXPECT_EQ(event["isBase64Encoded"], false);
  EXPECT_EQ(event["requestContext"]["stage"], "dev");
  EXPECT_EQ(event["requestContext"]["domainName"], "localhost:3000");
  EXPECT_EQ(event["requestContext"]["domainPrefix"], "localhost");
  EXPECT_EQ(event["headers"]["Content-Length"], "14");
  EXPECT_FALSE(event.contains("version"));
}

TEST(GatewayEvent, RestBodyIsBase64OnlyForBinaryMediaTypes) {
  const std::string bytes("\x89PNG\r\n\x1a\n\0\xff", 10);
  for (auto [type, binary] :
       std::vector<std::pair<std::string, bool>>{{"image/png", true},
                                                 {"IMAGE/PNG; q=1", true},
                                                 {"application/octet-stream", true},
                                                 {"application/json", false},
                                                 {"text/plain", false}}) {
    Fixture f(ApiKind::kRest, "ServerlessRestApi", "Prod", "POST", "/up",
              make_request(bhttp::verb::post, "/up", {{"Content-Type", type}}, bytes));
    f.api.binary_media_types = {"image/*", "application/octet-stream"};
    const json event = build_v1_event(f.input());
    EXPECT_EQ(event["isBase64Encoded"], binary) << type;
    if (binary) {
      EXPECT_EQ(base64_decode(event["body"].get<std::string>()), bytes) << type;
    }
  }
}

TEST(GatewayEvent, HttpApiPayload1MatchesGolden) {
  Fixture f(ApiKind::kHttp, "ServerlessHttpApi", "$default", "GET", "/my/path",
            make_request(bhttp::verb::get, "/my/path", kDocHeaders));
  expect_golden(build_v1_event(f.http_input()), "http_api_v1_event.json");
}

TEST(GatewayEvent, HttpApiPayload2MatchesGolden) {
  auto headers = kDocHeaders;
  headers.emplace_back("Cookie", "cookie1");
  headers.emplace_back("Cookie", "cookie2; cookie3=x");
  headers.emplace_back("Content-Type", "text/plain");
  Fixture f(ApiKind::kHttp, "ServerlessHttpApi", "$default", "ANY", "$default",
            make_request(bhttp::verb::post,
                         "/my/path?parameter1=value1&parameter1=value2&parameter2=value", headers,
                         "Hello from Lambda"));
  f.api.stage_variables = {{"stageVariable1", "value1"}, {"stageVariable2", "value2"}};
  expect_golden(build_v2_event(f.http_input()), "http_api_v2_event.json");
}

TEST(GatewayEvent, HttpApiPayload2RouteKeyParametersAndNoEmptyFields) {
  Fixture f(ApiKind::kHttp, "Api", "$default", "GET", "/pets/{id}",
            make_request(bhttp::verb::get, "/pets/caf%C3%A9", {{"Host", "h"}}));
  const json event = build_v2_event(f.http_input());
  EXPECT_EQ(event["routeKey"], "GET /pets/{id}");
  EXPECT_EQ(event["requestContext"]["routeKey"], "GET /pets/{id}");
  EXPECT_EQ(event["rawPath"], "/pets/caf%C3%A9");
  EXPECT_EQ(event["requestContext"]["http"]["path"], "/pets/café");
  EXPECT_EQ(event["pathParameters"], (json{{"id", "café"}}));
  EXPECT_EQ(event["rawQueryString"], "");
  for (const char* absent : {"cookies", "queryStringParameters", "stageVariables", "body"}) {
    EXPECT_FALSE(event.contains(absent)) << absent;
  }
  EXPECT_EQ(event["isBase64Encoded"], false);
}

TEST(GatewayEvent, HttpApiBodyIsBase64UnlessText) {
  for (auto [type, binary] :
       std::vector<std::pair<std::string, bool>>{{"text/html; charset=utf-8", false},
                                                 {"application/json", false},
                                                 {"application/xml", false},
                                                 {"application/javascript", false},
                                                 {"application/x-www-form-urlencoded", true},
                                                 {"application/octet-stream", true},
                                                 {"", true}}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!type.empty()) headers.emplace_back("Content-Type", type);
    Fixture f(ApiKind::kHttp, "Api", "$default", "POST", "/x",
              make_request(bhttp::verb::post, "/x", headers, "a=1&b=2"));
    const json v2 = build_v2_event(f.http_input());
    EXPECT_EQ(v2["isBase64Encoded"], binary) << type;
    EXPECT_EQ(v2["body"], binary ? base64_encode("a=1&b=2") : "a=1&b=2") << type;
    f.route.payload = PayloadVersion::k1;
    EXPECT_EQ(build_v1_event(f.http_input())["isBase64Encoded"], binary) << type;
  }
}

TEST(GatewayEvent, ForwardingHeadersAreAddedAsApiGatewayDoes) {
  Fixture f(ApiKind::kHttp, "Api", "$default", "GET", "/x",
            make_request(bhttp::verb::get, "/x",
                         {{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-Port", "1"}}));
  const json event = build_v2_event(f.http_input());
  EXPECT_EQ(event["headers"]["x-forwarded-for"], "203.0.113.9, 192.0.2.1");
  EXPECT_EQ(event["headers"]["x-forwarded-port"], "443");
  EXPECT_EQ(event["headers"]["x-forwarded-proto"], "http");
  EXPECT_TRUE(event["headers"]["x-amzn-trace-id"].get<std::string>().starts_with("Root=1-"));
  EXPECT_EQ(event["requestContext"]["http"]["sourceIp"], "192.0.2.1");
}

TEST(GatewayEvent, MalformedTargetsAreRefused) {
  for (const char* target : {"/a%zz", "/a%2", "/ok?x=%G0", "*"}) {
    http::Request r{bhttp::verb::get, target, 11};
    EXPECT_FALSE(parse_request(r, peer())) << target;
  }
  http::Request absolute{bhttp::verb::get, "http://example.com/a/b?c=d", 11};
  auto parsed = parse_request(absolute, peer());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->raw_path, "/a/b");
  EXPECT_EQ(parsed->raw_query, "c=d");
}

}  // namespace
}  // namespace lambdad::gateway
