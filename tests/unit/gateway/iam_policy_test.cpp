// The IAM policies Lambda authorizers return, evaluated against method ARNs as API Gateway does:
// wildcards, Deny over Allow, implicit deny, NotAction / NotResource, and every malformed shape.

#include "lambdad/gateway/iam_policy.hpp"

#include <gtest/gtest.h>

namespace lambdad::gateway {
namespace {

using json = nlohmann::json;

constexpr const char* kArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/7";

IamPolicy policy(const json& statements) {
  std::string why;
  auto parsed = parse_policy({{"Version", "2012-10-17"}, {"Statement", statements}}, why);
  EXPECT_TRUE(parsed) << why << " in " << statements.dump();
  return parsed.value_or(IamPolicy{});
}

json statement(const std::string& effect, const json& resource,
               const json& action = "execute-api:Invoke") {
  return {{"Effect", effect}, {"Action", action}, {"Resource", resource}};
}

TEST(IamPolicy, WildcardTable) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      {"*", "", true},
      {"*", "anything/at/all", true},
      {"", "", true},
      {"", "x", false},
      {"abc", "abc", true},
      {"abc", "abcd", false},
      {"abc", "ab", false},
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"a*c", "ac", true},
      {"a*c", "a/b/c", true},  // `*` crosses `/`
      {"a*c", "a/b/cd", false},
      {"*/GET/*", "abc/dev/GET/pets/7", true},
      {"*/POST/*", "abc/dev/GET/pets/7", false},
      {"a*b*c", "aXbYbZc", true},
      {"a*b*c", "aXbYbZ", false},
      {"**", "x", true},
      {"?*", "", false},
      {"abc/dev/GET/pets/?", "abc/dev/GET/pets/7", true},
      {"abc/dev/GET/pets/?", "abc/dev/GET/pets/77", false},
      {"ABC", "abc", false},  // resources compare with case
  };
  for (const auto& c : cases) {
    EXPECT_EQ(wildcard_match(c.pattern, c.text), c.match) << c.pattern << " vs " << c.text;
  }
  EXPECT_TRUE(wildcard_match("EXECUTE-API:invoke", "execute-api:Invoke", true));
  // A long text against a pattern with many stars stays fast (no exponential backtracking).
  EXPECT_FALSE(wildcard_match("*a*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

TEST(IamPolicy, AllowAndDenyTable) {
  const std::string base = "arn:aws:execute-api:us-east-1:123456789012:abc123";
  struct Case {
    json statements;
    PolicyDecision decision;
  };
  const Case cases[] = {
      {json::array({statement("Allow", kArn)}), PolicyDecision::kAllow},
      {json::array({statement("Allow", base + "/*")}), PolicyDecision::kAllow},
      {json::array({statement("Allow", base + "/*/GET/*")}), PolicyDecision::kAllow},
      {json::array({statement("Allow", base + "/dev/GET/pets/?")}), PolicyDecision::kAllow},
      {json::array({statement("Allow", "*")}), PolicyDecision::kAllow},
      {json::array({statement("Allow", base + "/dev/POST/*")}), PolicyDecision::kImplicitDeny},
      {json::array({statement("Allow", base + "/prod/*")}), PolicyDecision::kImplicitDeny},
      {json::array({statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:other/*")}),
       PolicyDecision::kImplicitDeny},
      {json::array(), PolicyDecision::kImplicitDeny},
      {json::array({statement("Deny", kArn)}), PolicyDecision::kExplicitDeny},
      // An explicit Deny wins, whatever the order.
      {json::array({statement("Allow", "*"), statement("Deny", base + "/*/GET/pets/*")}),
       PolicyDecision::kExplicitDeny},
      {json::array({statement("Deny", base + "/*/GET/pets/*"), statement("Allow", "*")}),
       PolicyDecision::kExplicitDeny},
      // A Deny that does not cover the method leaves the Allow.
      {json::array({statement("Allow", "*"), statement("Deny", base + "/*/DELETE/*")}),
       PolicyDecision::kAllow},
      // Lists of resources and actions.
      {json::array({statement("Allow", json::array({base + "/x", kArn}))}), PolicyDecision::kAllow},
      {json::array({statement("Allow", kArn, json::array({"s3:GetObject", "execute-api:*"}))}),
       PolicyDecision::kAllow},
      {json::array({statement("Allow", kArn, "*")}), PolicyDecision::kAllow},
      {json::array({statement("Allow", kArn, "Execute-API:INVOKE")}), PolicyDecision::kAllow},
      {json::array({statement("Allow", kArn, "execute-api:ManageConnections")}),
       PolicyDecision::kImplicitDeny},
      {json::array({statement("Deny", kArn, "s3:*")}), PolicyDecision::kImplicitDeny},
      // Effect without case, as the blueprints' lower-case helpers write it.
      {json::array({statement("allow", kArn)}), PolicyDecision::kAllow},
      {json::array({statement("DENY", kArn)}), PolicyDecision::kExplicitDeny},
      // NotResource / NotAction.
      {json::array({{{"Effect", "Allow"},
                     {"Action", "execute-api:Invoke"},
                     {"NotResource", base + "/*/DELETE/*"}}}),
       PolicyDecision::kAllow},
      {json::array({statement("Allow", "*"),
                    {{"Effect", "Deny"},
                     {"Action", "execute-api:Invoke"},
                     {"NotResource", base + "/*/GET/pets/*"}}}),
       PolicyDecision::kAllow},
      {json::array({statement("Allow", "*"),
                    {{"Effect", "Deny"},
                     {"Action", "execute-api:Invoke"},
                     {"NotResource", base + "/*/POST/*"}}}),
       PolicyDecision::kExplicitDeny},
      {json::array({{{"Effect", "Allow"}, {"NotAction", "s3:*"}, {"Resource", "*"}}}),
       PolicyDecision::kAllow},
      {json::array({{{"Effect", "Allow"}, {"NotAction", "execute-api:*"}, {"Resource", "*"}}}),
       PolicyDecision::kImplicitDeny},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(evaluate_policy(policy(c.statements), kArn), c.decision) << c.statements.dump();
  }
}

TEST(IamPolicy, OneStatementObjectIsAListOfOne) {
  std::string why;
  auto parsed = parse_policy({{"Statement", statement("Allow", kArn)}}, why);
  ASSERT_TRUE(parsed) << why;
  EXPECT_EQ(evaluate_policy(*parsed, kArn), PolicyDecision::kAllow);
}

TEST(IamPolicy, MalformedDocuments) {
  const json cases[] = {
      json("not an object"),
      json::array(),
      json::object(),  // no Statement
      {{"Statement", "Allow"}},
      {{"Statement", json::array({"Allow"})}},
      {{"Statement", json::array({{{"Action", "execute-api:Invoke"}, {"Resource", "*"}}})}},
      {{"Statement", json::array({statement("Maybe", "*")})}},
      {{"Statement", json::array({statement("Allow", "*", nullptr)})}},
      {{"Statement", json::array({{{"Effect", "Allow"}, {"Resource", "*"}}})}},
      {{"Statement", json::array({{{"Effect", "Allow"}, {"Action", "execute-api:Invoke"}}})}},
      {{"Statement", json::array({statement("Allow", json::array())})}},
      {{"Statement", json::array({statement("Allow", json::array({"*", 5}))})}},
      {{"Statement", json::array({statement("Allow", 5)})}},
      {{"Statement", json::array({{{"Effect", "Allow"},
                                   {"Action", "execute-api:Invoke"},
                                   {"Resource", "*"},
                                   {"NotResource", "x"}}})}},
  };
  for (const auto& document : cases) {
    std::string why;
    EXPECT_FALSE(parse_policy(document, why)) << document.dump();
    EXPECT_FALSE(why.empty()) << document.dump();
  }
}

}  // namespace
}  // namespace lambdad::gateway
