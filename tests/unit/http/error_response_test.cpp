#include "lambdad/http/error_response.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lambdad::http {
namespace {

Request request(unsigned version = 11) {
  Request r{bhttp::verb::post, "/2015-03-31/functions/f/invocations", version};
  return r;
}

TEST(LambdaError, NotFoundUsesCapitalMessageKey) {
  auto r = lambda_error(request(),
                        errors::function_not_found("arn:aws:lambda:us-east-1:1:function:f"), "rid");
  EXPECT_EQ(r.result_int(), 404u);
  EXPECT_EQ(r["x-amzn-ErrorType"], "ResourceNotFoundException");
  EXPECT_EQ(r["x-amzn-RequestId"], "rid");
  EXPECT_EQ(r[bhttp::field::content_type], "application/json");
  EXPECT_EQ(
      nlohmann::json::parse(r.body()),
      nlohmann::json::parse(
          R"({"Message":"Function not found: arn:aws:lambda:us-east-1:1:function:f","Type":"User"})"));
}

TEST(LambdaError, ThrottleCarriesReasonLowercaseMessageAndRetryAfter) {
  auto r = lambda_error(
      request(), errors::too_many_requests("ReservedFunctionConcurrentInvocationLimitExceeded"),
      "rid");
  EXPECT_EQ(r.result_int(), 429u);
  EXPECT_EQ(r["x-amzn-ErrorType"], "TooManyRequestsException");
  EXPECT_EQ(r[bhttp::field::retry_after], "1");
  EXPECT_EQ(
      nlohmann::json::parse(r.body()),
      nlohmann::json::parse(R"({"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded",)"
                            R"("Type":"User","message":"Rate Exceeded."})"));
}

TEST(LambdaError, TooLargeQuotesTheSizeAndLimit) {
  auto r = lambda_error(request(), errors::request_too_large(6291457, "RequestResponse", 6291456),
                        "rid");
  EXPECT_EQ(r.result_int(), 413u);
  EXPECT_EQ(r["x-amzn-ErrorType"], "RequestTooLargeException");
  EXPECT_EQ(nlohmann::json::parse(r.body())["message"],
            "6291457 byte payload is too large for the RequestResponse invocation type (limit "
            "6291456 bytes)");
}

TEST(LambdaError, ServiceFaultsSayService) {
  auto r = lambda_error(request(), errors::service("boom"), "rid");
  EXPECT_EQ(r.result_int(), 500u);
  EXPECT_EQ(nlohmann::json::parse(r.body())["Type"], "Service");
}

TEST(Json11Error, UsesTypeAndLowercaseMessage) {
  auto r = json11_error(
      request(),
      AwsError(400, "ResourceNotFoundException", "The specified log group does not exist."), "rid");
  EXPECT_EQ(r.result_int(), 400u);
  EXPECT_EQ(r[bhttp::field::content_type], "application/x-amz-json-1.1");
  EXPECT_EQ(
      nlohmann::json::parse(r.body()),
      nlohmann::json::parse(
          R"({"__type":"ResourceNotFoundException","message":"The specified log group does not exist."})"));
}

TEST(RuntimeError, UsesRuntimeApiShapeAndKeepsConnectionPolicy) {
  Request http10 = request(10);
  auto r = runtime_error(http10.base(), 403, "InvalidStateTransition", "no");
  EXPECT_EQ(r.result_int(), 403u);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_EQ(nlohmann::json::parse(r.body()),
            nlohmann::json::parse(R"({"errorMessage":"no","errorType":"InvalidStateTransition"})"));
  EXPECT_TRUE(runtime_error(request().base(), 400, "InvalidRequestID", "x").keep_alive());
}

// The lambda port's and the Runtime API's own answers (the server loop's), one row per error.
struct ProtocolCase {
  ProtocolError error;
  unsigned status;
  const char* lambda_type;
  const char* lambda_fault;
  const char* lambda_key;
  const char* runtime_type;
};

constexpr ProtocolCase kProtocolCases[] = {
    {ProtocolError::kMalformed, 400, "InvalidRequestContentException", "User", "message",
     "InvalidRequest"},
    {ProtocolError::kHeadersTooLarge, 431, "InvalidRequestContentException", "User", "message",
     "RequestHeaderFieldsTooLarge"},
    {ProtocolError::kOverloaded, 503, "ServiceException", "Service", "Message",
     "TooManyConnections"},
    {ProtocolError::kInternal, 500, "ServiceException", "Service", "Message", "ServiceException"},
};

TEST(ProtocolError, LambdaPortAnswersInTheLambdaShape) {
  for (const auto& c : kProtocolCases) {
    const Response r = lambda_protocol_error(c.error, "bad chunk");
    EXPECT_EQ(r.result_int(), c.status) << c.lambda_type;
    EXPECT_EQ(r["x-amzn-ErrorType"], c.lambda_type);
    EXPECT_FALSE(r["x-amzn-RequestId"].empty());
    EXPECT_EQ(r[bhttp::field::content_type], "application/json");
    EXPECT_FALSE(r.keep_alive());
    const auto body = nlohmann::json::parse(r.body());
    EXPECT_EQ(body["Type"], c.lambda_fault);
    ASSERT_TRUE(body.contains(c.lambda_key)) << body;
    EXPECT_EQ(body.size(), 2u) << body;
    if (c.error != ProtocolError::kInternal) {
      EXPECT_NE(body[c.lambda_key].get<std::string>().find("bad chunk"), std::string::npos);
    }
  }
}

TEST(ProtocolError, RuntimeApiAnswersInItsErrorShape) {
  for (const auto& c : kProtocolCases) {
    const Response r = runtime_protocol_error(c.error, "header fields over 8192 bytes");
    EXPECT_EQ(r.result_int(), c.status) << c.runtime_type;
    EXPECT_EQ(r[bhttp::field::content_type], "application/json");
    EXPECT_FALSE(r.keep_alive());
    const auto body = nlohmann::json::parse(r.body());
    EXPECT_EQ(body["errorType"], c.runtime_type);
    EXPECT_TRUE(body["errorMessage"].is_string());
    EXPECT_EQ(body.size(), 2u) << body;
  }
}

}  // namespace
}  // namespace lambdad::http
