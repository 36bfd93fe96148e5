// What the gateway checks and sends before a route's function runs behind a Lambda authorizer:
// method ARNs, identity-source values (present, empty, repeated, validated) and the authorizer's
// event in each of the four formats.

#include "lambdad/gateway/authorizer_event.hpp"

#include <gtest/gtest.h>

#include "lambdad/common/ids.hpp"
#include "lambdad/gateway/http_api_event.hpp"
#include "lambdad/gateway/rest_event.hpp"
#include "unit/gateway/event_fixture.hpp"

namespace lambdad::gateway {
namespace {

using json = nlohmann::json;
using fixtures::Fixture;
using fixtures::make_request;
using Kind = IdentitySource::Kind;

const std::vector<std::pair<std::string, std::string>> kHeaders = {
    {"Host", "localhost:3000"}, {"Authorization", "tok-abc"},         {"X-Tenant", "one"},
    {"x-tenant", "two"},        {"Content-Type", "application/json"},
};

// A Fixture's route points at its API: it stays where it is made.
std::unique_ptr<Fixture> rest_request(std::string target = "/pets/7?q=a&q=b&Q=c") {
  auto f = std::make_unique<Fixture>(
      ApiKind::kRest, "MyApi", "dev", "POST", "/pets/{id}",
      make_request(http::bhttp::verb::post, std::move(target), kHeaders, R"({"x":1})"));
  f->api.stage_variables = {{"color", "blue"}, {"empty", ""}};
  return f;
}

std::unique_ptr<Fixture> http_request(std::string target = "/pets/7?q=a&q=b") {
  return std::make_unique<Fixture>(
      ApiKind::kHttp, "HttpApi", "$default", "POST", "/pets/{id}",
      make_request(http::bhttp::verb::post, std::move(target), kHeaders, "{}"));
}

AuthorizerConfig token(std::string header = "Authorization", std::string validation = "") {
  AuthorizerConfig config{.name = "Tok", .api = "MyApi", .format = AuthorizerFormat::kToken};
  config.identity = {{Kind::kHeader, std::move(header)}};
  if (!validation.empty()) config.validation = std::make_shared<const std::regex>(validation);
  return config;
}

AuthorizerConfig request(AuthorizerFormat format, std::vector<IdentitySource> identity) {
  return AuthorizerConfig{.name = "Req", .api = "MyApi", .format = format, .identity = identity};
}

std::optional<std::vector<std::string>> values_of(const AuthorizerConfig& config,
                                                  const Fixture& f) {
  const EventInput input = f.api.kind == ApiKind::kRest ? f.input() : f.http_input();
  return identity_values(config, input, request_event_for(config, input));
}

using Values = std::optional<std::vector<std::string>>;

TEST(AuthorizerEvent, MethodArn) {
  auto rest = rest_request("/pets/a%20b");
  EXPECT_EQ(
      method_arn(rest->api, rest->request),
      "arn:aws:execute-api:" + region() + ":123456789012:" + rest->api.id + "/dev/POST/pets/a b");
  Fixture root(ApiKind::kRest, "ServerlessRestApi", "Prod", "GET", "/",
               make_request(http::bhttp::verb::get, "/", {}));
  EXPECT_EQ(method_arn(root.api, root.request),
            "arn:aws:execute-api:" + region() + ":123456789012:" + root.api.id + "/Prod/GET/");
  auto http = http_request();
  EXPECT_EQ(method_arn(http->api, http->request), "arn:aws:execute-api:" + region() +
                                                      ":123456789012:" + http->api.id +
                                                      "/$default/POST/pets/7");
}

TEST(AuthorizerEvent, TokenIdentity) {
  auto owned = rest_request();
  const Fixture& f = *owned;
  EXPECT_EQ(values_of(token(), f), Values({"tok-abc"}));
  EXPECT_EQ(values_of(token("AUTHORIZATION"), f), Values({"tok-abc"}));  // any case
  EXPECT_EQ(values_of(token("X-Missing"), f), std::nullopt);
  EXPECT_EQ(values_of(token("Authorization", "tok-[a-z]+"), f), Values({"tok-abc"}));
  // The ValidationExpression must match the whole token.
  EXPECT_EQ(values_of(token("Authorization", "tok"), f), std::nullopt);
  EXPECT_EQ(values_of(token("Authorization", "[a-z]+"), f), std::nullopt);
  Fixture empty(ApiKind::kRest, "MyApi", "dev", "GET", "/x",
                make_request(http::bhttp::verb::get, "/x", {{"Authorization", ""}}));
  EXPECT_EQ(values_of(token(), empty), std::nullopt);
}

TEST(AuthorizerEvent, RequestIdentitySourcesRest) {
  auto owned = rest_request();
  const Fixture& f = *owned;
  const auto rest = [](std::vector<IdentitySource> identity) {
    return request(AuthorizerFormat::kRequest, std::move(identity));
  };
  // Repeated headers and query parameters: REST takes the last value.
  EXPECT_EQ(values_of(rest({{Kind::kHeader, "X-TENANT"}, {Kind::kQuery, "q"}}), f),
            Values({"two", "b"}));
  EXPECT_EQ(values_of(rest({{Kind::kQuery, "Q"}}), f), Values({"c"}));  // names keep their case
  EXPECT_EQ(values_of(rest({{Kind::kStageVariable, "color"}}), f), Values({"blue"}));
  EXPECT_EQ(values_of(rest({{Kind::kContext, "identity.sourceIp"}, {Kind::kContext, "stage"}}), f),
            Values({"192.0.2.1", "dev"}));
  EXPECT_EQ(values_of(rest({{Kind::kContext, "requestTimeEpoch"}}), f), Values({"1583349317135"}));
  // Missing, empty or not a value: 401 without an invocation.
  for (const IdentitySource& source : std::vector<IdentitySource>{
           {Kind::kHeader, "X-Nope"},
           {Kind::kQuery, "nope"},
           {Kind::kStageVariable, "nope"},
           {Kind::kStageVariable, "empty"},
           {Kind::kContext, "identity"},
           {Kind::kContext, "identity.nope"},
           {Kind::kContext, "identity.user"},  // null
       }) {
    EXPECT_EQ(values_of(rest({{Kind::kHeader, "X-Tenant"}, source}), f), std::nullopt)
        << source.name;
  }
  EXPECT_EQ(values_of(rest({{Kind::kQuery, "q"}}), *rest_request("/pets/7?q=")), std::nullopt);
  // No identity sources at all: nothing to check.
  EXPECT_EQ(values_of(rest({}), f), Values(std::vector<std::string>{}));
}

TEST(AuthorizerEvent, RequestIdentitySourcesHttpApi) {
  auto owned = http_request();
  const Fixture& f = *owned;
  const auto http = [](std::vector<IdentitySource> identity) {
    return request(AuthorizerFormat::kHttp2, std::move(identity));
  };
  // Repeated headers and query parameters: joined with commas, as the 2.0 event has them.
  EXPECT_EQ(values_of(http({{Kind::kHeader, "x-tenant"}, {Kind::kQuery, "q"}}), f),
            Values({"one,two", "a,b"}));
  // HTTP API context variables, whatever the event keeps them under.
  EXPECT_EQ(values_of(http({{Kind::kContext, "identity.sourceIp"},
                            {Kind::kContext, "routeKey"},
                            {Kind::kContext, "httpMethod"},
                            {Kind::kContext, "http.path"}}),
                      f),
            Values({"192.0.2.1", "POST /pets/{id}", "POST", "/pets/7"}));
  EXPECT_EQ(values_of(request(AuthorizerFormat::kHttp1, {{Kind::kHeader, "x-tenant"},
                                                         {Kind::kContext, "identity.sourceIp"},
                                                         {Kind::kContext, "httpMethod"}}),
                      f),
            Values({"one,two", "192.0.2.1", "POST"}));
}

TEST(AuthorizerEvent, TokenEvent) {
  auto owned = rest_request();
  const Fixture& f = *owned;
  const AuthorizerConfig config = token();
  EXPECT_EQ(request_event_for(config, f.input()), nullptr);
  EXPECT_EQ(authorizer_event(config, nullptr, {"tok-abc"}, "arn:x"),
            (json{{"type", "TOKEN"}, {"authorizationToken", "tok-abc"}, {"methodArn", "arn:x"}}));
}

TEST(AuthorizerEvent, RestRequestEventIsTheRequestWithoutItsBody) {
  auto owned = rest_request();
  const Fixture& f = *owned;
  const AuthorizerConfig config = request(AuthorizerFormat::kRequest, {{Kind::kQuery, "q"}});
  json expected = build_v1_event(f.input());
  expected.erase("body");
  expected.erase("isBase64Encoded");
  expected["type"] = "REQUEST";
  expected["methodArn"] = "arn:x";
  EXPECT_EQ(authorizer_event(config, request_event_for(config, f.input()), {"b"}, "arn:x"),
            expected);
}

TEST(AuthorizerEvent, HttpPayload1EventAddsTheIdentitySourceAsText) {
  auto owned = http_request();
  const Fixture& f = *owned;
  const AuthorizerConfig config =
      request(AuthorizerFormat::kHttp1, {{Kind::kHeader, "x-tenant"}, {Kind::kQuery, "q"}});
  const json event =
      authorizer_event(config, request_event_for(config, f.input()), {"one,two", "a,b"}, "arn:x");
  EXPECT_EQ(event["version"], "1.0");
  EXPECT_EQ(event["type"], "REQUEST");
  EXPECT_EQ(event["methodArn"], "arn:x");
  EXPECT_EQ(event["identitySource"], "one,two,a,b");
  EXPECT_EQ(event["authorizationToken"], "one,two,a,b");
  EXPECT_EQ(event["resource"], "/pets/{id}");
  EXPECT_EQ(event["pathParameters"], (json{{"id", "7"}}));
  EXPECT_FALSE(event.contains("body"));
  EXPECT_FALSE(event.contains("isBase64Encoded"));
}

TEST(AuthorizerEvent, HttpPayload2EventAddsRouteArnAndTheIdentitySourceList) {
  auto owned = http_request();
  const Fixture& f = *owned;
  const AuthorizerConfig config = request(AuthorizerFormat::kHttp2, {{Kind::kQuery, "q"}});
  json expected = build_v2_event(f.http_input());
  expected.erase("body");
  expected.erase("isBase64Encoded");
  expected["type"] = "REQUEST";
  expected["routeArn"] = "arn:x";
  expected["identitySource"] = {"a,b"};
  EXPECT_EQ(authorizer_event(config, request_event_for(config, f.http_input()), {"a,b"}, "arn:x"),
            expected);
  EXPECT_EQ(expected["version"], "2.0");
  EXPECT_EQ(expected["routeKey"], "POST /pets/{id}");
}

}  // namespace
}  // namespace lambdad::gateway
