// The authorizer result cache on a fake clock: TTLs, keys, and its bound.

#include "lambdad/gateway/authorizer_cache.hpp"

#include <gtest/gtest.h>

#include "lambdad/gateway/authorizer_config.hpp"
#include "lambdad/gateway/authorizer_response.hpp"

namespace lambdad::gateway {
namespace {

using std::chrono::seconds;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  AuthorizerCache::Clock clock() {
    return [this] { return now; };
  }
};

std::shared_ptr<const AuthorizerDecision> decision(const std::string& principal) {
  auto out = std::make_shared<AuthorizerDecision>();
  out->principal_id = principal;
  return out;
}

AuthorizerConfig authorizer(const std::string& api, const std::string& name) {
  return AuthorizerConfig{.name = name, .api = api};
}

TEST(AuthorizerCache, KeepsAResultForItsTtl) {
  FakeClock fake;
  AuthorizerCache cache(fake.clock());
  const std::string key = AuthorizerCache::key(authorizer("Api", "Tok"), {"token"});
  EXPECT_EQ(cache.find(key), nullptr);
  cache.put(key, decision("a"), seconds(300));
  fake.now += seconds(299);
  ASSERT_NE(cache.find(key), nullptr);
  EXPECT_EQ(*cache.find(key)->principal_id, "a");
  fake.now += seconds(1);
  EXPECT_EQ(cache.find(key), nullptr);  // expired at exactly the TTL
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AuthorizerCache, TtlZeroKeepsNothing) {
  FakeClock fake;
  AuthorizerCache cache(fake.clock());
  const std::string key = AuthorizerCache::key(authorizer("Api", "Tok"), {"token"});
  cache.put(key, decision("a"), seconds(0));
  EXPECT_EQ(cache.find(key), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AuthorizerCache, ANewResultReplacesTheOldOneAndRestartsItsTtl) {
  FakeClock fake;
  AuthorizerCache cache(fake.clock());
  const std::string key = AuthorizerCache::key(authorizer("Api", "Tok"), {"token"});
  cache.put(key, decision("a"), seconds(10));
  fake.now += seconds(9);
  cache.put(key, decision("b"), seconds(10));
  fake.now += seconds(9);
  ASSERT_NE(cache.find(key), nullptr);
  EXPECT_EQ(*cache.find(key)->principal_id, "b");
}

TEST(AuthorizerCache, KeysTellAuthorizersAndValuesApart) {
  const auto key = [](const char* api, const char* name, std::vector<std::string> values) {
    return AuthorizerCache::key(authorizer(api, name), values);
  };
  EXPECT_EQ(key("Api", "Tok", {"a", "b"}), key("Api", "Tok", {"a", "b"}));
  EXPECT_NE(key("Api", "Tok", {"a"}), key("Api", "Other", {"a"}));
  EXPECT_NE(key("Api", "Tok", {"a"}), key("Api2", "Tok", {"a"}));
  // No separator trick makes two value lists collide.
  EXPECT_NE(key("Api", "Tok", {"a,b"}), key("Api", "Tok", {"a", "b"}));
  EXPECT_NE(key("Api", "Tok", {"1:a"}), key("Api", "Tok", {"1", "a"}));
  EXPECT_NE(key("Api", "Tok", {"ab", ""}), key("Api", "Tok", {"a", "b"}));
  EXPECT_NE(key("A", "pi", {}), key("Ap", "i", {}));
}

TEST(AuthorizerCache, BoundedExpiredFirstThenTheSoonestToExpire) {
  FakeClock fake;
  AuthorizerCache cache(fake.clock(), 3);
  const auto key = [](const std::string& token) {
    return AuthorizerCache::key(authorizer("Api", "Tok"), {token});
  };
  cache.put(key("short"), decision("short"), seconds(5));
  cache.put(key("long"), decision("long"), seconds(100));
  cache.put(key("mid"), decision("mid"), seconds(50));
  fake.now += seconds(10);  // "short" has expired
  cache.put(key("new"), decision("new"), seconds(100));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.find(key("long")), nullptr);
  EXPECT_NE(cache.find(key("mid")), nullptr);
  cache.put(key("newer"), decision("newer"), seconds(100));  // full: "mid" expires soonest
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.find(key("mid")), nullptr);
  EXPECT_NE(cache.find(key("long")), nullptr);
  EXPECT_NE(cache.find(key("new")), nullptr);
  EXPECT_NE(cache.find(key("newer")), nullptr);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace lambdad::gateway
