// lambdad's HTTP server loop through a real socket: read and idle timeouts, HEAD, Date, the
// handler's answer to malformed requests, and the peer's addresses.

#include "lambdad/http/server.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <regex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace lambdad::http {
namespace {

using Clock = std::chrono::steady_clock;

class ServerLoop {
 public:
  explicit ServerLoop(ConnectionLimits limits, bool coalesce = false)
      : acceptor_(listen(io_.get_executor(), "127.0.0.1", 0)) {
    auto handler = std::make_shared<Handler>();
    handler->coalesce_pipelined_answers = coalesce;
    handler->handle_from = [](Request& request, const Peer& peer) -> asio::awaitable<Response> {
      co_return make_response(request, 200,
                              std::string(request.target()) + " from " +
                                  peer.remote.address().to_string() + " to " +
                                  std::to_string(peer.local.port()),
                              "text/plain");
    };
    handler->protocol_error = [](ProtocolError error, std::string_view detail) {
      const auto status = error == ProtocolError::kMalformed         ? bhttp::status::bad_request
                          : error == ProtocolError::kHeadersTooLarge ? bhttp::status{431}
                          : error == ProtocolError::kOverloaded      ? bhttp::status{503}
                                                                     : bhttp::status{500};
      Response r{status, 11};
      r.body() =
          "custom " + std::to_string(static_cast<unsigned>(status)) + ": " + std::string(detail);
      return r;
    };
    asio::co_spawn(io_, accept_loop(acceptor_, handler, limits), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServerLoop() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

struct Client {
  asio::io_context io;
  tcp::socket socket{io};

  explicit Client(uint16_t port) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{.tv_sec = 10, .tv_usec = 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(std::string_view data) { asio::write(socket, asio::buffer(data)); }
  /// Everything until the peer closes (or 10 s pass).
  std::string read_all() {
    std::string out;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      size_t n = socket.read_some(asio::buffer(buf), ec);
      if (ec || n == 0) break;
      out.append(buf, n);
    }
    return out;
  }
  /// One response with a Content-Length (`head`: no body follows).
  std::string read_response(bool head = false) {
    std::string out;
    char c;
    while (out.find("\r\n\r\n") == std::string::npos) {
      if (asio::read(socket, asio::buffer(&c, 1)) != 1) return out;
      out.push_back(c);
    }
    std::smatch m;
    if (!head && std::regex_search(out, m, std::regex("Content-Length: (\\d+)"))) {
      std::string body(std::stoul(m[1]), '\0');
      asio::read(socket, asio::buffer(body));
      out += body;
    }
    return out;
  }
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST(HttpServer, SlowRequestIsCutAtTheReadTimeout) {
  ServerLoop server(ConnectionLimits{.read_timeout = std::chrono::seconds(1),
                                     .idle_timeout = std::chrono::seconds(5)});
  Client client(server.port());
  const auto start = Clock::now();
  client.send("GET /slow HTTP/1.1\r\nHost: x\r\n");  // the header never ends
  EXPECT_EQ(client.read_all(), "");
  const double elapsed = seconds_since(start);
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 4.0);  // the read timeout, not the idle one
}

TEST(HttpServer, IdleConnectionGetsTheIdleTimeout) {
  ServerLoop server(ConnectionLimits{.read_timeout = std::chrono::seconds(1),
                                     .idle_timeout = std::chrono::seconds(3)});
  Client client(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past the read timeout
  client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(client.read_response().find("/a from 127.0.0.1"), std::string::npos);
  const auto start = Clock::now();
  EXPECT_EQ(client.read_all(), "");  // idle again until the idle timeout closes it
  EXPECT_GE(seconds_since(start), 2.5);
}

TEST(HttpServer, HeadKeepsContentLengthWithoutBody) {
  ServerLoop server(ConnectionLimits{});
  Client client(server.port());
  client.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string head = client.read_response(true);
  EXPECT_NE(head.find("Content-Length: "), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length: 0"), std::string::npos) << head;
  const std::string get = client.read_response();
  EXPECT_TRUE(get.starts_with("HTTP/1.1 200")) << get;  // no stray body between the two
  EXPECT_NE(get.find("/g from"), std::string::npos) << get;
}

TEST(HttpServer, CoalescedPipelinedAnswersArriveInOrder) {
  ServerLoop server(ConnectionLimits{}, true);
  Client client(server.port());
  client.send(
      "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
      "GET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n");
  for (const char* target : {"/1 from", "/2 from", "/3 from"}) {
    const std::string r = client.read_response();
    EXPECT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    EXPECT_NE(r.find(target), std::string::npos) << r;
  }
  client.send("GET /4 HTTP/1.1\r\nHost: x\r\n\r\n");  // not pipelined: answered at once
  EXPECT_NE(client.read_response().find("/4 from"), std::string::npos);
}

TEST(HttpServer, DateHeaderIsAnHttpDate) {
  ServerLoop server(ConnectionLimits{});
  Client client(server.port());
  client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string response = client.read_response();
  EXPECT_TRUE(std::regex_search(
      response, std::regex("\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d "
                           "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
                           "\\d\\d:\\d\\d:\\d\\d GMT\r\n")))
      << response;
}

TEST(HttpServer, MalformedRequestsGetTheHandlersAnswer) {
  ServerLoop server(ConnectionLimits{.header_limit = 1024});
  {
    Client client(server.port());
    client.send("NONSENSE\r\n\r\n");
    const std::string out = client.read_all();
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
    EXPECT_NE(out.find("custom 400: bad method"), std::string::npos) << out;
  }
  {
    Client client(server.port());
    client.send("GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n");
    const std::string out = client.read_all();
    EXPECT_TRUE(out.starts_with("HTTP/1.1 431")) << out;
    EXPECT_NE(out.find("custom 431: header fields over 1024 bytes"), std::string::npos) << out;
  }
  {
    Client client(server.port());
    client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    const std::string out = client.read_all();
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
    EXPECT_NE(out.find("custom 400: bad chunk"), std::string::npos) << out;
  }
  for (const char* request : {
           "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
           "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
           "GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
           "GET / HTTP/9.9\r\n\r\n",
           "GET  / HTTP/1.1\r\n\r\n",
           "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
           "\x01\x02\x03\r\n\r\n",
       }) {
    Client client(server.port());
    client.send(request);
    const std::string out = client.read_all();
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << request << " -> " << out;
    EXPECT_NE(out.find("custom 400: "), std::string::npos) << request << " -> " << out;
  }
}

TEST(HttpServer, AtTheCapTheOldestIdleConnectionMakesRoom) {
  ServerLoop server(ConnectionLimits{.max_connections = 2});
  Client first(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // idle before the second
  Client second(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Client third(server.port());
  third.send("GET /3 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(third.read_response().find("/3 from"), std::string::npos);
  EXPECT_EQ(first.read_all(), "");  // closed to make room
  second.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(second.read_response().find("/2 from"), std::string::npos);
}

TEST(HttpServer, OverTheCapWithoutEvictionIsRefusedAtOnce) {
  ServerLoop server(ConnectionLimits{.max_connections = 2, .evict_idle = false});
  Client first(server.port());
  Client second(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (int i = 0; i < 3; ++i) {
    Client over(server.port());
    over.send("GET /over HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string out = over.read_all();
    EXPECT_TRUE(out.starts_with("HTTP/1.1 503")) << out;
    EXPECT_NE(out.find("custom 503: 2 at most"), std::string::npos) << out;
  }
  first.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");  // the first two are still served
  EXPECT_NE(first.read_response().find("/1 from"), std::string::npos);
  second.send("GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(second.read_response().find("/2 from"), std::string::npos);
  EXPECT_EQ(second.read_all(), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Client again(server.port());  // a closed one frees its place
  again.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(again.read_response().find("/again from"), std::string::npos);
}

TEST(HttpServer, NearTheFdLimitIsRefused) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  // A reserve as large as the limit: every fd number is within it.
  ServerLoop server(
      ConnectionLimits{.evict_idle = false, .fd_reserve = static_cast<size_t>(limit.rlim_cur)});
  Client client(server.port());
  client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string out = client.read_all();
  EXPECT_TRUE(out.starts_with("HTTP/1.1 503")) << out;
  EXPECT_NE(out.find("near its open-file limit"), std::string::npos) << out;
}

TEST(HttpServer, HandlerSeesThePeer) {
  ServerLoop server(ConnectionLimits{});
  Client client(server.port());
  client.send("GET /who HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(client.read_response().find("/who from 127.0.0.1 to " + std::to_string(server.port())),
            std::string::npos);
}

}  // namespace
}  // namespace lambdad::http
