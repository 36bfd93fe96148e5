// The JWKS cache against a real HTTP server: OIDC discovery then jwks_uri, cached keys, a refetch
// for an unknown kid at most once per interval, one fetch shared by concurrent requests, and
// issuers that cannot be reached or publish no jwks_uri.

#include "lambdad/gateway/jwks.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "unit/control_api/test_server.hpp"

namespace lambdad::gateway {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using json = nlohmann::json;

json oct_key(const std::string& kid) {
  return {{"kty", "oct"}, {"kid", kid}, {"k", "c2VjcmV0LXNlY3JldA"}};
}

class JwksTest : public ::testing::Test {
 protected:
  JwksTest()
      : server_([this](const testing::TestServer::Request& request) {
          testing::TestServer::Response response{bhttp::status::ok, 11};
          std::lock_guard lock(mutex_);
          if (request.target() == "/.well-known/openid-configuration") {
            ++discoveries_;
            response.body() = discovery_;
          } else if (request.target() == "/keys") {
            ++key_fetches_;
            response.body() = jwks_.dump();
          } else {
            response.result(bhttp::status::not_found);
          }
          return response;
        }) {}

  std::shared_ptr<const JwkSet> keys(JwksCache& cache, const std::string& issuer,
                                     const std::string& kid) {
    std::shared_ptr<const JwkSet> out;
    asio::co_spawn(io_, cache.keys(issuer, kid, "HS256"),
                   [&](std::exception_ptr e, std::shared_ptr<const JwkSet> set) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(set);
                   });
    io_.restart();
    io_.run();
    return out;
  }

  void set_keys(const json& keys) {
    std::lock_guard lock(mutex_);
    jwks_ = {{"keys", keys}};
  }

  asio::io_context io_;
  std::mutex mutex_;
  json jwks_ = {{"keys", {oct_key("a")}}};
  std::string discovery_;
  int discoveries_ = 0;
  int key_fetches_ = 0;
  testing::TestServer server_;
};

TEST_F(JwksTest, DiscoveryCacheAndRateLimitedRefetch) {
  discovery_ = json{{"issuer", server_.url()}, {"jwks_uri", server_.url() + "/keys"}}.dump();
  JwksCache cache(io_.get_executor(), {.refetch_interval = std::chrono::milliseconds(300)});
  auto set = keys(cache, server_.url() + "/", "a");  // a trailing slash is dropped
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->find("a", "HS256"));
  EXPECT_EQ(discoveries_, 1);
  EXPECT_EQ(key_fetches_, 1);
  EXPECT_TRUE(keys(cache, server_.url() + "/", "a"));
  EXPECT_EQ(cache.fetches(), 1);

  // A rotated key: not fetched again right away, then fetched once the interval has passed.
  set_keys({oct_key("a"), oct_key("b")});
  EXPECT_FALSE(keys(cache, server_.url() + "/", "b")->find("b", "HS256"));
  EXPECT_FALSE(keys(cache, server_.url() + "/", "b")->find("b", "HS256"));
  EXPECT_EQ(cache.fetches(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_TRUE(keys(cache, server_.url() + "/", "b")->find("b", "HS256"));
  EXPECT_EQ(cache.fetches(), 2);
  EXPECT_EQ(key_fetches_, 2);
}

TEST_F(JwksTest, ConcurrentRequestsShareOneFetch) {
  JwksCache cache(io_.get_executor(), {.overrides = {{"issuer-x", server_.url() + "/keys"}}});
  std::atomic<int> found{0};
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(io_, cache.keys("issuer-x", "a", "HS256"),
                   [&](std::exception_ptr, std::shared_ptr<const JwkSet> set) {
                     found += set && set->find("a", "HS256");
                   });
  }
  io_.run();
  EXPECT_EQ(found.load(), 5);
  EXPECT_EQ(cache.fetches(), 1);
  EXPECT_EQ(key_fetches_, 1);
  EXPECT_EQ(discoveries_, 0);  // a JWKS URL override skips discovery
}

TEST_F(JwksTest, UnreachableOrBrokenIssuers) {
  JwksCache cache(io_.get_executor(), {.refetch_interval = std::chrono::milliseconds(60000),
                                       .fetch = {.timeout = std::chrono::milliseconds(2000)}});
  EXPECT_FALSE(keys(cache, "http://127.0.0.1:1", "a"));
  EXPECT_FALSE(keys(cache, "http://127.0.0.1:1", "a"));
  EXPECT_EQ(cache.fetches(), 1);  // a failure is not retried before the interval
  discovery_ = R"({"issuer":"x"})";
  EXPECT_FALSE(keys(cache, server_.url(), "a"));
  discovery_ = "not json";
  EXPECT_FALSE(keys(cache, server_.url() + "/other", "a"));
  EXPECT_FALSE(keys(cache, "https://127.0.0.1:1", "a"));
  EXPECT_FALSE(keys(cache, "file:///nonexistent/jwks.json", "a"));
  EXPECT_EQ(key_source("file:///etc/jwks.json", {}).kind, KeySource::Kind::kFile);
  EXPECT_EQ(key_source("https://id.example.com/", {}).location,
            "https://id.example.com/.well-known/openid-configuration");
  EXPECT_EQ(key_source("https://id.example.com", {{"https://id.example.com", "/tmp/k.json"}}).kind,
            KeySource::Kind::kFile);
}

}  // namespace
}  // namespace lambdad::gateway
