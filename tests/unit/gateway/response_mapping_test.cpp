// Function replies → HTTP responses, per payload format, and the gateway's own error answers.

#include "lambdad/gateway/response_mapping.hpp"

#include <gtest/gtest.h>

#include "lambdad/common/encoding.hpp"
#include "lambdad/gateway/errors.hpp"

namespace lambdad::gateway {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

ApiInfo rest_api(std::vector<std::string> binary = {}) {
  ApiInfo api;
  api.kind = ApiKind::kRest;
  api.binary_media_types = std::move(binary);
  return api;
}

ApiInfo http_api() {
  ApiInfo api;
  api.kind = ApiKind::kHttp;
  return api;
}

MappedResponse v1_ok(std::string_view payload, const ApiInfo& api = rest_api(),
                     std::string_view accept = "") {
  std::string why;
  auto mapped = map_v1_response(payload, api, accept, why);
  EXPECT_TRUE(mapped) << payload << ": " << why;
  return mapped.value_or(MappedResponse{});
}

std::string v1_malformed(std::string_view payload, const ApiInfo& api = rest_api()) {
  std::string why;
  auto mapped = map_v1_response(payload, api, "", why);
  EXPECT_FALSE(mapped) << payload;
  EXPECT_FALSE(why.empty()) << payload;
  return why;
}

MappedResponse v2_ok(std::string_view payload) {
  std::string why;
  auto mapped = map_v2_response(payload, why);
  EXPECT_TRUE(mapped) << payload << ": " << why;
  return mapped.value_or(MappedResponse{});
}

TEST(GatewayResponseV1, AwsDocumentedReply) {
  auto r = v1_ok(R"({"isBase64Encoded": false, "statusCode": 201,
      "headers": {"headerName": "headerValue"},
      "multiValueHeaders": {"headerName": ["headerValue", "headerValue2"], "Set-Cookie": ["a=1", "b=2"]},
      "body": "{\"ok\":true}"})");
  EXPECT_EQ(r.status, 201u);
  // A name's multiValueHeaders come first; its `headers` value joins unless already there.
  EXPECT_EQ(r.headers, (Headers{{"Set-Cookie", "a=1"},
                                {"Set-Cookie", "b=2"},
                                {"headerName", "headerValue"},
                                {"headerName", "headerValue2"},
                                {"Content-Type", "application/json"}}));
  EXPECT_EQ(r.body, R"({"ok":true})");
}

TEST(GatewayResponseV1, HeadersAndMultiValueHeadersMerge) {
  auto r = v1_ok(R"({"statusCode": 200, "headers": {"X-A": "3", "x-b": "1"},
                     "multiValueHeaders": {"x-a": ["1", "2"]}})");
  EXPECT_EQ(r.headers, (Headers{{"x-a", "1"},
                                {"x-a", "2"},
                                {"X-A", "3"},
                                {"x-b", "1"},
                                {"Content-Type", "application/json"}}));
}

TEST(GatewayResponseV1, LenientWhereAwsIs) {
  auto r = v1_ok(R"({"statusCode": "404"})");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, "");
  r = v1_ok(R"({"statusCode": 200.0, "body": null, "headers": {"X-N": 5, "X-B": true,
                 "Content-Type": null}, "multiValueHeaders": null, "isBase64Encoded": null})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers,
            (Headers{{"X-B", "true"}, {"X-N", "5"}, {"Content-Type", "application/json"}}));
  r = v1_ok(R"({"statusCode": 200, "headers": {"content-type": "text/html"}, "body": "<p>"})");
  EXPECT_EQ(r.headers, (Headers{{"content-type", "text/html"}}));
}

TEST(GatewayResponseV1, MalformedReplies) {
  for (const char* payload : {
           R"(not json)",
           R"("a string")",
           R"([1,2])",
           R"({})",
           R"({"body": "no status"})",
           R"({"statusCode": "abc"})",
           R"({"statusCode": 99})",
           R"({"statusCode": 600})",
           R"({"statusCode": 200.5})",
           R"({"statusCode": 1e119})",  // beyond long long (fuzz_gateway_reply)
           R"({"statusCode": -1e300})",
           R"({"statusCode": 200, "body": {"an": "object"}})",
           R"({"statusCode": 200, "body": 5})",
           R"({"statusCode": 200, "headers": ["x"]})",
           R"({"statusCode": 200, "headers": {"x": {"y": 1}}})",
           R"({"statusCode": 200, "multiValueHeaders": {"x": "not a list"}})",
           R"({"statusCode": 200, "isBase64Encoded": "true"})",
           R"({"statusCode": 200, "extra": 1})",
           R"({"statusCode": 200, "headers": {"x-evil": "a\r\nInjected: 1"}})",
           R"({"statusCode": 200, "headers": {"bad name": "v"}})",
       }) {
    v1_malformed(payload);
  }
}

TEST(GatewayResponseV1, RestDecodesBase64OnlyWhenAcceptIsBinary) {
  const std::string png("\x89PNG\0\xff", 6);
  const std::string reply = R"({"statusCode": 200, "isBase64Encoded": true, "body": ")" +
                            base64_encode(png) + R"(", "headers": {"Content-Type": "image/png"}})";
  const ApiInfo api = rest_api({"image/png"});
  EXPECT_EQ(v1_ok(reply, api, "image/png").body, png);
  EXPECT_EQ(v1_ok(reply, api, "image/png, */*").body, png);
  EXPECT_EQ(v1_ok(reply, api, "text/html, image/png").body, base64_encode(png));  // first type
  EXPECT_EQ(v1_ok(reply, api, "").body, base64_encode(png));
  EXPECT_EQ(v1_ok(reply, rest_api({"*/*"}), "text/html").body, png);
  // Not base64: only an error where it is decoded.
  const char* bad = R"({"statusCode": 200, "isBase64Encoded": true, "body": "!!!"})";
  EXPECT_EQ(v1_ok(bad).body, "!!!");
  std::string why;
  EXPECT_FALSE(map_v1_response(bad, rest_api({"*/*"}), "", why));
}

TEST(GatewayResponseV1, HttpApiOnPayload1) {
  const std::string reply =
      R"({"statusCode": 200, "isBase64Encoded": true, "body": ")" + base64_encode("hi") + R"("})";
  auto r = v1_ok(reply, http_api());
  EXPECT_EQ(r.body, "hi");  // HTTP APIs always decode
  EXPECT_EQ(r.headers, (Headers{{"Content-Type", "text/plain; charset=utf-8"}}));
}

TEST(GatewayResponseV1, FramingHeadersAreRemappedOnRestAndDroppedOnHttpApis) {
  const char* reply = R"({"statusCode": 200, "headers": {"Content-Length": "99",
      "Connection": "close", "Date": "yesterday", "Server": "me", "Transfer-Encoding": "chunked",
      "X-Ok": "1", "Content-Type": "text/plain"}})";
  EXPECT_EQ(v1_ok(reply).headers, (Headers{{"x-amzn-Remapped-Connection", "close"},
                                           {"x-amzn-Remapped-Content-Length", "99"},
                                           {"Content-Type", "text/plain"},
                                           {"x-amzn-Remapped-Date", "yesterday"},
                                           {"x-amzn-Remapped-Server", "me"},
                                           {"x-amzn-Remapped-Transfer-Encoding", "chunked"},
                                           {"X-Ok", "1"}}));
  EXPECT_EQ(v1_ok(reply, http_api()).headers,
            (Headers{{"Content-Type", "text/plain"}, {"X-Ok", "1"}}));
}

TEST(GatewayResponseV2, StructuredReply) {
  auto r = v2_ok(R"({"statusCode": 201, "headers": {"X-A": "1"}, "cookies": ["a=1; Path=/", "b=2"],
                     "body": "created", "isBase64Encoded": false})");
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(r.headers, (Headers{{"X-A", "1"},
                                {"set-cookie", "a=1; Path=/"},
                                {"set-cookie", "b=2"},
                                {"content-type", "text/plain; charset=utf-8"}}));
  EXPECT_EQ(r.body, "created");
  r = v2_ok(R"({"statusCode": 200, "isBase64Encoded": true, "body": ")" +
            base64_encode("\x01\x02") +
            R"(", "headers": {"content-type": "application/octet-stream"}})");
  EXPECT_EQ(r.body, "\x01\x02");
}

TEST(GatewayResponseV2, InferredReplies) {
  auto r = v2_ok(R"( {"message": "hello"} )");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers, (Headers{{"content-type", "application/json"}}));
  EXPECT_EQ(r.body, R"({"message": "hello"})");
  EXPECT_EQ(v2_ok(R"("Hello from Lambda!")").body, "Hello from Lambda!");
  EXPECT_EQ(v2_ok("[1, 2]").body, "[1, 2]");
  EXPECT_EQ(v2_ok("42").body, "42");
  EXPECT_EQ(v2_ok("null").body, "null");
  EXPECT_EQ(v2_ok(R"({"body": "x", "headers": {}})").body, R"({"body": "x", "headers": {}})");
}

TEST(GatewayResponseV2, MalformedReplies) {
  for (const char* payload : {
           "not json",
           "",
           R"({"statusCode": "x"})",
           R"({"statusCode": 200, "body": {"a": 1}})",
           R"({"statusCode": 200, "cookies": "a=1"})",
           R"({"statusCode": 200, "cookies": [1]})",
           R"({"statusCode": 200, "headers": {"a": [1]}})",
           R"({"statusCode": 200, "isBase64Encoded": true, "body": "%%%"})",
       }) {
    std::string why;
    EXPECT_FALSE(map_v2_response(payload, why)) << payload;
    EXPECT_FALSE(why.empty()) << payload;
  }
}

TEST(GatewayErrors, ShapesByApiKind) {
  struct Case {
    ApiKind kind;
    GatewayError error;
    unsigned status;
    const char* body;
  };
  for (const Case& c : std::initializer_list<Case>{
           {ApiKind::kRest, GatewayError::kNotFound, 403,
            R"({"message":"Missing Authentication Token"})"},
           {ApiKind::kHttp, GatewayError::kNotFound, 404, R"({"message":"Not Found"})"},
           {ApiKind::kRest, GatewayError::kFunctionError, 502,
            R"({"message": "Internal server error"})"},
           {ApiKind::kRest, GatewayError::kMalformedResponse, 502,
            R"({"message": "Internal server error"})"},
           {ApiKind::kHttp, GatewayError::kFunctionError, 500,
            R"({"message":"Internal Server Error"})"},
           {ApiKind::kRest, GatewayError::kIntegrationFailure, 500,
            R"({"message": "Internal server error"})"},
           {ApiKind::kRest, GatewayError::kIntegrationTimeout, 504,
            R"({"message": "Endpoint request timed out"})"},
           {ApiKind::kHttp, GatewayError::kIntegrationTimeout, 503,
            R"({"message":"Service Unavailable"})"},
           {ApiKind::kRest, GatewayError::kRequestTooLarge, 413,
            R"({"message":"Request Too Long"})"},
           {ApiKind::kHttp, GatewayError::kHeadersTooLarge, 431,
            R"({"message":"Request Header Fields Too Large"})"},
       }) {
    http::RequestHeader header;
    header.version(11);
    http::Response r = error_response(c.kind, c.error, header);
    EXPECT_EQ(r.result_int(), c.status) << c.body;
    EXPECT_EQ(r.body(), c.body);
    EXPECT_EQ(r[http::bhttp::field::content_type], "application/json");
    EXPECT_TRUE(r.keep_alive());
  }
  http::RequestHeader header;
  header.version(11);
  EXPECT_EQ(error_response(ApiKind::kRest, GatewayError::kNotFound, header)["x-amzn-ErrorType"],
            "MissingAuthenticationTokenException");
}

}  // namespace
}  // namespace lambdad::gateway
