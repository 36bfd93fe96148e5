// Authorizer replies: what is well formed for each kind of authorizer (garbage included), what
// they decide for a method ARN, and the context the function gets.

#include "lambdad/gateway/authorizer_response.hpp"

#include <gtest/gtest.h>

#include "lambdad/gateway/authorizer_config.hpp"

namespace lambdad::gateway {
namespace {

using json = nlohmann::json;

constexpr const char* kArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets";

AuthorizerConfig rest() {
  return AuthorizerConfig{.format = AuthorizerFormat::kToken};
}
AuthorizerConfig http_iam() {
  return AuthorizerConfig{.format = AuthorizerFormat::kHttp2};
}
AuthorizerConfig http_simple() {
  return AuthorizerConfig{.format = AuthorizerFormat::kHttp2, .simple_responses = true};
}

json allow_reply() {
  return {{"principalId", "user-1"},
          {"policyDocument",
           {{"Version", "2012-10-17"},
            {"Statement",
             {{{"Action", "execute-api:Invoke"}, {"Effect", "Allow"}, {"Resource", kArn}}}}}},
          {"context", {{"name", "ada"}, {"n", 42}, {"ok", true}, {"ratio", 1.5}}},
          {"usageIdentifierKey", "key-1"}};
}

std::optional<AuthorizerDecision> parse(const json& reply, const AuthorizerConfig& config,
                                        std::string* why_out = nullptr) {
  std::string why;
  auto decision = parse_authorizer_reply(reply.dump(), config, why);
  if (why_out) *why_out = why;
  return decision;
}

TEST(AuthorizerResponse, IamReply) {
  auto decision = parse(allow_reply(), rest());
  ASSERT_TRUE(decision);
  EXPECT_FALSE(decision->simple);
  EXPECT_EQ(decision->principal_id, "user-1");
  EXPECT_EQ(decision->usage_identifier_key, "key-1");
  EXPECT_EQ(decide(*decision, kArn), PolicyDecision::kAllow);
  EXPECT_EQ(decide(*decision, std::string(kArn) + "/1"), PolicyDecision::kImplicitDeny);
}

TEST(AuthorizerResponse, PrincipalAndContextAreOptional) {
  json reply = allow_reply();
  reply.erase("principalId");
  reply.erase("context");
  reply.erase("usageIdentifierKey");
  auto decision = parse(reply, rest());
  ASSERT_TRUE(decision);
  EXPECT_FALSE(decision->principal_id);
  EXPECT_EQ(decision->context, json::object());
  reply["principalId"] = 12;  // a number is passed on as text
  reply["context"] = nullptr;
  decision = parse(reply, rest());
  ASSERT_TRUE(decision);
  EXPECT_EQ(decision->principal_id, "12");
}

TEST(AuthorizerResponse, GarbageIsMalformed) {
  json nested = allow_reply();
  nested["context"]["obj"] = {{"a", 1}};
  json listed = allow_reply();
  listed["context"]["list"] = {1, 2};
  json no_policy = allow_reply();
  no_policy.erase("policyDocument");
  json bad_policy = allow_reply();
  bad_policy["policyDocument"]["Statement"][0]["Effect"] = "Perhaps";
  json bad_principal = allow_reply();
  bad_principal["principalId"] = {{"id", 1}};
  json bad_context = allow_reply();
  bad_context["context"] = "ctx";
  for (const auto& [payload, config] : std::vector<std::pair<std::string, AuthorizerConfig>>{
           {"not json", rest()},
           {"", rest()},
           {R"("Allow")", rest()},
           {"[1,2]", rest()},
           {"null", rest()},
           {nested.dump(), rest()},  // REST context values are scalars only
           {listed.dump(), rest()},
           {no_policy.dump(), rest()},
           {bad_policy.dump(), rest()},
           {bad_principal.dump(), rest()},
           {bad_context.dump(), http_iam()},
           {R"({"isAuthorized": true})", rest()},  // a simple reply where a policy is due
           {R"({"isAuthorized": true})", http_iam()},
           {allow_reply().dump(), http_simple()},  // a policy where a simple reply is due
           {R"({"isAuthorized": "true"})", http_simple()},
           {R"({"isAuthorized": 1})", http_simple()},
           {R"({"isAuthorized": true, "context": [1]})", http_simple()},
       }) {
    std::string why;
    EXPECT_FALSE(parse_authorizer_reply(payload, config, why)) << payload;
    EXPECT_FALSE(why.empty()) << payload;
  }
}

TEST(AuthorizerResponse, HttpApiContextMayHoldAnyJson) {
  json reply = allow_reply();
  reply["context"]["obj"] = {{"a", 1}};
  auto decision = parse(reply, http_iam());
  ASSERT_TRUE(decision);
  EXPECT_EQ(decision->context["obj"], (json{{"a", 1}}));
}

TEST(AuthorizerResponse, SimpleReplies) {
  auto yes = parse({{"isAuthorized", true}, {"context", {{"roles", {"a"}}}}}, http_simple());
  ASSERT_TRUE(yes);
  EXPECT_TRUE(yes->simple);
  EXPECT_EQ(decide(*yes, kArn), PolicyDecision::kAllow);
  EXPECT_EQ(decide(*yes, "anything"), PolicyDecision::kAllow);  // not tied to a resource
  auto no = parse({{"isAuthorized", false}}, http_simple());
  ASSERT_TRUE(no);
  EXPECT_EQ(decide(*no, kArn), PolicyDecision::kImplicitDeny);
}

TEST(AuthorizerResponse, UnauthorizedError) {
  EXPECT_TRUE(is_unauthorized_error(
      R"({"errorMessage":"Unauthorized","errorType":"Error","stackTrace":[]})"));
  EXPECT_TRUE(is_unauthorized_error(R"({"errorMessage":"Unauthorized","errorType":"string"})"));
  EXPECT_FALSE(is_unauthorized_error(R"({"errorMessage":"Unauthorized: expired"})"));
  EXPECT_FALSE(is_unauthorized_error(R"({"errorMessage":"unauthorized"})"));
  EXPECT_FALSE(is_unauthorized_error(R"({"errorType":"Unauthorized"})"));
  EXPECT_FALSE(is_unauthorized_error("Unauthorized"));
  EXPECT_FALSE(is_unauthorized_error(""));
}

TEST(AuthorizerResponse, ContextTheFunctionGets) {
  auto decision = parse(allow_reply(), rest());
  ASSERT_TRUE(decision);
  // REST: the context's values as strings, the principal and the authorizer's latency.
  EXPECT_EQ(function_authorizer_context(*decision, true, false, 12),
            (json{{"name", "ada"},
                  {"n", "42"},
                  {"ok", "true"},
                  {"ratio", "1.5"},
                  {"principalId", "user-1"},
                  {"integrationLatency", 12}}));
  // HTTP API, payload 2.0: under `lambda`, values as returned.
  EXPECT_EQ(function_authorizer_context(*decision, false, true, 12),
            (json{{"lambda",
                   {{"name", "ada"},
                    {"n", 42},
                    {"ok", true},
                    {"ratio", 1.5},
                    {"principalId", "user-1"}}}}));
  // HTTP API, payload 1.0: the context itself.
  EXPECT_EQ(
      function_authorizer_context(*decision, false, false, 12),
      (json{{"name", "ada"}, {"n", 42}, {"ok", true}, {"ratio", 1.5}, {"principalId", "user-1"}}));
  // A simple reply without context.
  auto simple = parse({{"isAuthorized", true}}, http_simple());
  ASSERT_TRUE(simple);
  EXPECT_EQ(function_authorizer_context(*simple, false, true, 3),
            (json{{"lambda", json::object()}}));
}

}  // namespace
}  // namespace lambdad::gateway
