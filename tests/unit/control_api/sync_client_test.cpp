#include "lambdad/http/sync_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include "unit/control_api/test_server.hpp"

namespace lambdad::http {
namespace {

using testing::TestServer;

TEST(SyncClientUrl, ParsesHostPortAndBasePath) {
  Url u = parse_url("http://127.0.0.1:3001");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "3001");
  EXPECT_EQ(u.base_path, "");
  EXPECT_EQ(u.text(), "http://127.0.0.1:3001");
  u = parse_url("http://localhost/");
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.base_path, "");
  u = parse_url("http://[::1]:9000/prefix/");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "9000");
  EXPECT_EQ(u.base_path, "/prefix");
  EXPECT_EQ(u.text(), "http://[::1]:9000/prefix");
}

TEST(SyncClientUrl, RejectsWhatItCannotUse) {
  for (const char* bad :
       {"https://host:443", "127.0.0.1:3001", "http://", "http://:80", "http://host:0",
        "http://host:99999", "http://host:12ab", "http://[::1"}) {
    EXPECT_THROW(parse_url(bad), std::invalid_argument) << bad;
  }
}

TEST(SyncClient, SendsMethodTargetHeadersAndBodyAndReturnsTheResponse) {
  TestServer server([](const TestServer::Request& req) {
    TestServer::Response res{boost::beast::http::status::created, 11};
    res.set("X-Echo-Method", std::string(req.method_string()));
    res.set("X-Echo-Target", std::string(req.target()));
    res.set("X-Echo-Type", std::string(req[boost::beast::http::field::content_type]));
    res.set("X-Echo-Host", std::string(req[boost::beast::http::field::host]));
    res.body() = "got:" + req.body();
    return res;
  });
  const Url url = parse_url(server.url());
  const auto res = request(url, "POST", "/a/b?c=1", {{"Content-Type", "text/plain"}}, "payload",
                           std::chrono::seconds(5));
  EXPECT_EQ(res.status, 201u);
  EXPECT_EQ(res.body, "got:payload");
  EXPECT_EQ(res.header("x-echo-method"), "POST");
  EXPECT_EQ(res.header("X-ECHO-TARGET"), "/a/b?c=1");
  EXPECT_EQ(res.header("X-Echo-Type"), "text/plain");
  EXPECT_EQ(res.header("X-Echo-Host"), "127.0.0.1:" + url.port);
  EXPECT_FALSE(res.header("X-Missing").has_value());

  const auto get = request(url, "GET", "", {}, "", std::chrono::seconds(5));
  EXPECT_EQ(get.header("X-Echo-Target"), "/");
  EXPECT_EQ(get.body, "got:");
}

TEST(SyncClient, ErrorStatusesAreReturnedNotThrown) {
  TestServer server([](const TestServer::Request&) {
    TestServer::Response res{boost::beast::http::status::bad_request, 11};
    res.body() = R"({"__type":"InvalidParameterException","message":"no"})";
    return res;
  });
  const auto res = request(parse_url(server.url()), "POST", "/", {}, "{}", std::chrono::seconds(5));
  EXPECT_EQ(res.status, 400u);
  EXPECT_NE(res.body.find("InvalidParameterException"), std::string::npos);
}

TEST(SyncClient, RefusedConnectionsAndUnknownMethodsThrow) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();  // nothing listens on this port any more
  const Url url = parse_url("http://127.0.0.1:" + std::to_string(port));
  try {
    request(url, "GET", "/", {}, "", std::chrono::seconds(5));
    FAIL() << "expected ClientError";
  } catch (const ClientError& e) {
    EXPECT_NE(std::string(e.what()).find(url.text()), std::string::npos) << e.what();
  }
  EXPECT_THROW(request(url, "FETCH", "/", {}, "", std::chrono::seconds(1)), std::invalid_argument);
}

TEST(SyncClient, ASilentServerTimesOut) {
  boost::asio::io_context io;
  // Listening but never accepting: the kernel completes the handshake, nobody ever answers.
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  silent.listen();
  const Url url = parse_url("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
  try {
    request(url, "GET", "/", {}, "", std::chrono::milliseconds(200));
    FAIL() << "expected a timeout";
  } catch (const ClientError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
}

TEST(SyncClient, ResponsesOverTheBodyLimitFail) {
  TestServer server([](const TestServer::Request&) {
    TestServer::Response res{boost::beast::http::status::ok, 11};
    res.body() = std::string(10000, 'x');
    return res;
  });
  RequestOptions options;
  options.timeout = std::chrono::seconds(5);
  options.body_limit = 1000;
  EXPECT_THROW(request(parse_url(server.url()), "GET", "/", {}, "", options), ClientError);
  options.body_limit = 10000;
  EXPECT_EQ(request(parse_url(server.url()), "GET", "/", {}, "", options).body.size(), 10000u);
}

}  // namespace
}  // namespace lambdad::http
