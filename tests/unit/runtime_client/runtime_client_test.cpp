// lambdad_runtime against a fake Runtime API: a plain-socket HTTP server on 127.0.0.1:0 in a
// thread, scripted per test, recording every request it gets. Tests that need run_handler (which
// never returns) run it in a forked child, with stdout and stderr in files.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lambdad_runtime/runtime.hpp"

namespace {

using lambdad_runtime::invocation_request;
using lambdad_runtime::invocation_response;
using lambdad_runtime::runtime;
using ::testing::HasSubstr;

constexpr std::string_view kNext = "/2018-06-01/runtime/invocation/next";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct received {
  std::size_t index = 0;       // order among all requests the server got
  std::size_t connection = 0;  // order of the connection it came on
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  std::optional<std::string> header(std::string const& name) const {
    for (auto const& [n, v] : headers) {
      if (n == lower(name)) return v;
    }
    return std::nullopt;
  }
};

struct reply {
  std::string raw;     // the bytes to send back, as they go on the wire (may be empty)
  bool close = false;  // close the connection afterwards
};

class fake_runtime_api {
 public:
  using responder = std::function<reply(received const&)>;

  explicit fake_runtime_api(responder respond) : respond_(std::move(respond)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe2(wake_, O_CLOEXEC) != 0) {
      throw std::runtime_error("fake server setup failed");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~fake_runtime_api() {
    (void)!::write(wake_[1], "x", 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

  std::vector<received> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  std::size_t connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }

 private:
  // Waits for `fd` to be readable; false once the destructor asks the thread to stop.
  bool wait_readable(int fd) const {
    pollfd p[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    while (::poll(p, 2, -1) < 0) {
    }
    return p[1].revents == 0;
  }

  bool read_more(int fd, std::string& buf) const {
    if (!wait_readable(fd)) return false;
    char chunk[65536];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  void serve() {
    while (wait_readable(listen_fd_)) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::size_t index;
      {
        std::lock_guard lock(mutex_);
        index = connections_++;
      }
      serve_connection(fd, index);
      ::close(fd);
    }
  }

  // One connection at a time is enough: the client never holds two.
  void serve_connection(int fd, std::size_t connection) {
    std::string buf;
    for (;;) {
      std::size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (!read_more(fd, buf)) return;
      }
      received req;
      req.connection = connection;
      std::istringstream head(buf.substr(0, end));
      buf.erase(0, end + 4);
      std::string line;
      std::getline(head, line);
      std::istringstream(line) >> req.method >> req.target;
      while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req.headers.emplace_back(lower(line.substr(0, colon)), value);
      }
      std::size_t length = std::stoul(req.header("content-length").value_or("0"));
      while (buf.size() < length) {
        if (!read_more(fd, buf)) return;
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);
      {
        std::lock_guard lock(mutex_);
        req.index = requests_.size();
        requests_.push_back(req);
      }
      reply r = respond_(req);
      std::string_view rest = r.raw;
      while (!rest.empty()) {
        ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        rest.remove_prefix(static_cast<std::size_t>(n));
      }
      if (r.close) return;
    }
  }

  responder respond_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<received> requests_;
  std::size_t connections_ = 0;
  std::thread thread_;
};

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string http(int status, std::string_view body, std::string_view headers = {}) {
  std::string r = "HTTP/1.1 " + std::to_string(status) + " Whatever\r\n";
  r.append(headers);
  r.append("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  r.append(body);
  return r;
}

std::string event(std::string_view id, std::string_view payload, std::string extra = {}) {
  return http(
      200, payload,
      "Content-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: " + std::string(id) +
          "\r\nLambda-Runtime-Deadline-Ms: " + std::to_string(now_ms() + 3000) +
          "\r\nLambda-Runtime-Invoked-Function-Arn: "
          "arn:aws:lambda:us-east-1:000000000000:function:f\r\n" +
          extra);
}

reply accepted() {
  return {http(202, R"({"status":"OK"})")};
}

reply api_error(int status, std::string_view type) {
  return {http(status, R"({"errorMessage":"no","errorType":")" + std::string(type) + "\"}")};
}

// ---- get_next --------------------------------------------------------------------------------

TEST(RuntimeClient, NextReadsEveryHeaderIntoTheRequest) {
  long long deadline = now_ms() + 2500;
  fake_runtime_api api([&](received const&) {
    return reply{http(200, R"({"hello":"world"})",
                      "content-type: application/json; charset=utf-8\r\n"
                      "lambda-runtime-aws-request-id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
                      "Lambda-Runtime-Deadline-Ms: " +
                          std::to_string(deadline) +
                          "\r\n"
                          "Lambda-Runtime-Invoked-Function-Arn: "
                          "arn:aws:lambda:us-east-1:123456789012:function:f:live\r\n"
                          "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;"
                          "Parent=9a9197af755a6419;Sampled=1\r\n"
                          "Lambda-Runtime-Client-Context: {\"custom\":{\"k\":\"v\"}}\r\n"
                          "Lambda-Runtime-Cognito-Identity: {\"cognitoIdentityId\":\"id\"}\r\n"
                          "Lambda-Runtime-Aws-Tenant-Id:   tenant-7  \r\n")};
  });
  runtime rt(api.endpoint());

  auto req = rt.get_next();

  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->payload, R"({"hello":"world"})");
  EXPECT_EQ(req->request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  EXPECT_EQ(req->function_arn, "arn:aws:lambda:us-east-1:123456789012:function:f:live");
  EXPECT_EQ(req->xray_trace_id,
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
  EXPECT_EQ(req->client_context, R"({"custom":{"k":"v"}})");
  EXPECT_EQ(req->cognito_identity, R"({"cognitoIdentityId":"id"})");
  EXPECT_EQ(req->tenant_id, "tenant-7");
  EXPECT_EQ(req->content_type, "application/json; charset=utf-8");
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(req->deadline.time_since_epoch())
                .count(),
            deadline);
  EXPECT_GT(req->get_time_remaining().count(), 1000);
  EXPECT_LE(req->get_time_remaining().count(), 2500);
  EXPECT_EQ(rt.last_status().http_status, 200);

  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, kNext);
  EXPECT_EQ(requests[0].header("Host"), api.endpoint());
  EXPECT_FALSE(requests[0].header("Expect"));
}

TEST(RuntimeClient, EmptyOptionalHeadersStayEmpty) {
  fake_runtime_api api([](received const&) { return reply{event("r1", "{}")}; });
  runtime rt(api.endpoint());

  auto req = rt.get_next();

  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->xray_trace_id, "");
  EXPECT_EQ(req->client_context, "");
  EXPECT_EQ(req->cognito_identity, "");
  EXPECT_EQ(req->tenant_id, "");
}

TEST(RuntimeClient, MissingRequestIdIsAFailure) {
  fake_runtime_api api([](received const&) {
    return reply{
        http(200, "{}", "Lambda-Runtime-Deadline-Ms: " + std::to_string(now_ms()) + "\r\n")};
  });
  runtime rt(api.endpoint());

  EXPECT_FALSE(rt.get_next().has_value());
}

TEST(RuntimeClient, MissingOrNonPositiveDeadlineIsAFailure) {
  for (std::string deadline :
       {"", "Lambda-Runtime-Deadline-Ms: 0\r\n", "Lambda-Runtime-Deadline-Ms: -5\r\n",
        "Lambda-Runtime-Deadline-Ms: 12abc\r\n"}) {
    fake_runtime_api api([&](received const&) {
      return reply{http(200, "{}", "Lambda-Runtime-Aws-Request-Id: r1\r\n" + deadline)};
    });
    runtime rt(api.endpoint());
    EXPECT_FALSE(rt.get_next().has_value()) << deadline;
  }
}

TEST(RuntimeClient, NextFailsOnAnErrorStatus) {
  fake_runtime_api api([](received const&) { return api_error(403, "InvalidStateTransition"); });
  runtime rt(api.endpoint());

  EXPECT_FALSE(rt.get_next().has_value());
  EXPECT_EQ(rt.last_status().http_status, 403);
}

TEST(RuntimeClient, ReadsAChunkedNextReply) {
  fake_runtime_api api([](received const& r) {
    if (r.target != kNext) return accepted();
    return reply{
        "HTTP/1.1 200 OK\r\n"
        "Lambda-Runtime-Aws-Request-Id: chunky\r\n"
        "Lambda-Runtime-Deadline-Ms: " +
        std::to_string(now_ms() + 3000) +
        "\r\n"
        "Transfer-Encoding: chunked\r\n"
        "\r\n"
        "5\r\n{\"a\":\r\n"
        "A;name=value\r\n\"0123456\"}\r\n"
        "0\r\n"
        "X-Trailer: ignored\r\n"
        "\r\n"};
  });
  runtime rt(api.endpoint());

  auto req = rt.get_next();
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->request_id, "chunky");
  EXPECT_EQ(req->payload, R"({"a":"0123456"})");

  // The chunked framing was consumed exactly: the same connection carries the next call.
  EXPECT_TRUE(rt.post_response("chunky", invocation_response::success("{}")).ok());
  EXPECT_EQ(api.connections(), 1u);
}

TEST(RuntimeClient, ReadsABodyThatEndsWithTheConnection) {
  fake_runtime_api api([](received const&) {
    return reply{
        "HTTP/1.0 200 OK\r\nLambda-Runtime-Aws-Request-Id: r1\r\n"
        "Lambda-Runtime-Deadline-Ms: " +
            std::to_string(now_ms() + 3000) + "\r\n\r\n{\"unframed\":true}",
        true};
  });
  runtime rt(api.endpoint());

  auto req = rt.get_next();
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->payload, R"({"unframed":true})");
}

TEST(RuntimeClient, SkipsInterimReplies) {
  fake_runtime_api api(
      [](received const&) { return reply{"HTTP/1.1 100 Continue\r\n\r\n" + event("r1", "[1]")}; });
  runtime rt(api.endpoint());

  auto req = rt.get_next();
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->payload, "[1]");
}

// ---- posts -----------------------------------------------------------------------------------

TEST(RuntimeClient, PostsTheResponseWithContentLength) {
  fake_runtime_api api([](received const&) { return accepted(); });
  runtime rt(api.endpoint());

  auto status =
      rt.post_response("8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                       invocation_response::success(R"({"ok":true})", "application/json"));

  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.http_status, 202);
  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  auto const& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target,
            "/2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response");
  EXPECT_EQ(r.header("Content-Length"), "11");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"ok":true})");
  EXPECT_FALSE(r.header("Expect"));
  EXPECT_FALSE(r.header("Transfer-Encoding"));
  EXPECT_FALSE(r.header("Lambda-Runtime-Function-Error-Type"));
}

TEST(RuntimeClient, PostsAnEmptyResponseWithContentLengthZero) {
  fake_runtime_api api([](received const&) { return accepted(); });
  runtime rt(api.endpoint());

  EXPECT_TRUE(rt.post_response("r1", invocation_response::success("", "text/plain")).ok());

  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Content-Length"), "0");
  EXPECT_EQ(requests[0].header("Content-Type"), "text/plain");
}

TEST(RuntimeClient, PostsErrorsWithTheTypeHeaderAndJsonBody) {
  fake_runtime_api api([](received const&) { return accepted(); });
  runtime rt(api.endpoint());

  auto status =
      rt.post_response("r1", invocation_response::failure("bad \"input\"\n", "Handled.BadInput"));

  EXPECT_TRUE(status.ok());
  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  auto const& r = requests[0];
  EXPECT_EQ(r.target, "/2018-06-01/runtime/invocation/r1/error");
  EXPECT_EQ(r.header("Lambda-Runtime-Function-Error-Type"), "Handled.BadInput");
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.aws.lambda.error+json");
  EXPECT_EQ(r.header("Content-Length"), std::to_string(r.body.size()));
  EXPECT_EQ(r.body,
            R"({"errorMessage":"bad \"input\"\n","errorType":"Handled.BadInput","stackTrace":[]})");
}

TEST(RuntimeClient, ErrorBodiesAreValidJsonWhateverTheMessage) {
  std::string message = "tab\tbell\x07 quote\" backslash\\ utf8 \xC3\xA9 broken \xC3 \xFF end";
  auto body = lambdad_runtime::make_error_body(message, "Type\x01");

  auto json = nlohmann::json::parse(body);  // throws on invalid JSON or UTF-8

  EXPECT_EQ(json["errorMessage"],
            "tab\tbell\x07 quote\" backslash\\ utf8 \xC3\xA9 broken \xEF\xBF\xBD \xEF\xBF\xBD end");
  EXPECT_EQ(json["errorType"], "Type\x01");
  EXPECT_EQ(json["stackTrace"], nlohmann::json::array());
}

TEST(RuntimeClient, HeaderValuesCannotSplitTheRequest) {
  fake_runtime_api api([](received const&) { return accepted(); });
  runtime rt(api.endpoint());

  rt.post_response("a/b c", invocation_response::failure("m", "T\r\nX-Injected: 1"));

  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/invocation/a%2Fb%20c/error");
  EXPECT_EQ(requests[0].header("Lambda-Runtime-Function-Error-Type"), "TX-Injected: 1");
  EXPECT_FALSE(requests[0].header("X-Injected"));
}

TEST(RuntimeClient, PostFailureStatusIsReported) {
  fake_runtime_api api([](received const&) { return api_error(413, "RequestEntityTooLarge"); });
  runtime rt(api.endpoint());

  auto status = rt.post_response("r1", invocation_response::success("{}"));

  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.http_status, 413);
}

TEST(RuntimeClient, ReportsInitErrors) {
  fake_runtime_api api([](received const&) { return accepted(); });
  ::setenv("AWS_LAMBDA_RUNTIME_API", api.endpoint().c_str(), 1);

  EXPECT_TRUE(lambdad_runtime::report_init_error("Runtime.NoSuchHandler", "no handler 'x'"));

  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 1u);
  auto const& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(r.header("Lambda-Runtime-Function-Error-Type"), "Runtime.NoSuchHandler");
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.aws.lambda.error+json");
  EXPECT_EQ(
      r.body,
      R"({"errorMessage":"no handler 'x'","errorType":"Runtime.NoSuchHandler","stackTrace":[]})");
}

TEST(RuntimeClient, InitErrorReportFailsWithoutAnEndpoint) {
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
  EXPECT_FALSE(lambdad_runtime::report_init_error("Runtime.X", "y"));
}

TEST(RuntimeClient, LargePayloadsTravelBothWays) {
  std::string big_event(5 * 1024 * 1024, 'e');
  std::string big_result(5 * 1024 * 1024 + 7, 'r');
  fake_runtime_api api([&](received const& r) {
    return r.target == kNext ? reply{event("big", big_event)} : accepted();
  });
  runtime rt(api.endpoint());

  auto req = rt.get_next();
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->payload.size(), big_event.size());
  EXPECT_EQ(req->payload, big_event);
  EXPECT_TRUE(rt.post_response("big", invocation_response::success(big_result)).ok());

  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].body.size(), big_result.size());
  EXPECT_EQ(requests[1].body, big_result);
}

// ---- the connection --------------------------------------------------------------------------

TEST(RuntimeClient, KeepsOneConnectionAcrossCalls) {
  fake_runtime_api api([](received const& r) {
    return r.target == kNext ? reply{event("r" + std::to_string(r.index), "{}")} : accepted();
  });
  runtime rt(api.endpoint());

  for (int i = 0; i < 3; ++i) {
    auto req = rt.get_next();
    ASSERT_TRUE(req.has_value());
    EXPECT_TRUE(rt.post_response(req->request_id, invocation_response::success("{}")).ok());
  }

  EXPECT_EQ(api.requests().size(), 6u);
  EXPECT_EQ(api.connections(), 1u);
}

TEST(RuntimeClient, ReconnectsAfterTheServerClosesAKeptAliveConnection) {
  // Every reply claims keep-alive, then the server closes the connection anyway.
  fake_runtime_api api([](received const& r) {
    return reply{event("r" + std::to_string(r.index), "{}"), true};
  });
  runtime rt(api.endpoint());

  for (int i = 0; i < 3; ++i) {
    auto req = rt.get_next();
    ASSERT_TRUE(req.has_value()) << i;
    EXPECT_EQ(req->request_id, "r" + std::to_string(i));
  }
  EXPECT_EQ(api.connections(), 3u);
}

TEST(RuntimeClient, RetriesOnceWhenAReusedConnectionDropsTheRequest) {
  // The second request arrives on the kept-alive connection and the server closes it without a
  // reply (its idle close crossing our request); the client must ask again on a new connection.
  fake_runtime_api api([](received const& r) {
    if (r.index == 1) return reply{"", true};
    return reply{event("r" + std::to_string(r.index), "{}")};
  });
  runtime rt(api.endpoint());

  ASSERT_TRUE(rt.get_next().has_value());
  auto req = rt.get_next();

  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->request_id, "r2");
  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].connection, 0u);
  EXPECT_EQ(requests[2].connection, 1u);
  EXPECT_EQ(requests[2].target, kNext);
}

TEST(RuntimeClient, DoesNotRetryOnAFreshConnection) {
  fake_runtime_api api([](received const&) { return reply{"", true}; });
  runtime rt(api.endpoint());

  EXPECT_FALSE(rt.get_next().has_value());
  EXPECT_EQ(rt.last_status().http_status, 0);
  EXPECT_EQ(api.requests().size(), 1u);
}

TEST(RuntimeClient, HonoursConnectionClose) {
  fake_runtime_api api([](received const& r) {
    return reply{event("r" + std::to_string(r.index), "{}", "Connection: close\r\n")};
  });
  runtime rt(api.endpoint());

  ASSERT_TRUE(rt.get_next().has_value());
  ASSERT_TRUE(rt.get_next().has_value());
  EXPECT_EQ(api.connections(), 2u);
}

TEST(RuntimeClient, PipelinesNextWithTheResult) {
  fake_runtime_api api([](received const& r) {
    return r.target == kNext ? reply{event("r" + std::to_string(r.index), "{}")} : accepted();
  });
  runtime rt(api.endpoint());

  auto first = rt.get_next();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(
      rt.post_response_then_next(first->request_id, invocation_response::success("{}")).ok());
  // The GET went out with the POST: the server answers it without another request.
  for (int i = 0; i < 200 && api.requests().size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto second = rt.get_next();

  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->request_id, "r2");
  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[2].target, kNext);
  EXPECT_EQ(api.connections(), 1u);
}

TEST(RuntimeClient, PipelinedNextIsAskedAgainWhenTheServerCloses) {
  // The server answers the POST with Connection: close and never reads the GET behind it.
  fake_runtime_api api([](received const& r) {
    if (r.method == "POST") return reply{accepted().raw, true};
    return reply{event("r" + std::to_string(r.index), "{}")};
  });
  runtime rt(api.endpoint());

  auto first = rt.get_next();
  ASSERT_TRUE(first.has_value());
  rt.post_response_then_next(first->request_id, invocation_response::success("{}"));
  auto second = rt.get_next();

  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(api.connections(), 2u);
  EXPECT_EQ(api.requests().back().target, kNext);
  EXPECT_EQ(api.requests().back().connection, 1u);
}

TEST(RuntimeClient, RejectsAnEndpointWithoutAPort) {
  EXPECT_THROW(runtime("127.0.0.1"), std::invalid_argument);
  EXPECT_THROW(runtime("127.0.0.1:"), std::invalid_argument);
  EXPECT_THROW(runtime("127.0.0.1:99999"), std::invalid_argument);
  EXPECT_NO_THROW(runtime("[::1]:9001"));
  EXPECT_NO_THROW(runtime("localhost:9001"));
}

TEST(RuntimeClient, ResolvesAHostName) {
  fake_runtime_api api([](received const&) { return reply{event("r1", "{}")}; });
  std::string endpoint = api.endpoint();
  runtime rt("localhost" + endpoint.substr(endpoint.find(':')));

  auto req = rt.get_next();
  // localhost may resolve to ::1 first; the client must fall through to 127.0.0.1.
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(api.requests()[0].header("Host"), "localhost" + endpoint.substr(endpoint.find(':')));
}

// ---- run_handler, in a forked child ----------------------------------------------------------

struct child_result {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

std::string read_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs `body` in a child whose stdout and stderr go to files (named in `out_path`/`err_path`
// so a responder can look at them while the child runs). `out_path` is written under
// `out_path_mutex`: the responder's thread reads it, and the only order between the two is the
// child's request, which ThreadSanitizer cannot see across processes.
// The children forked below inherit this multi-threaded process's sanitizer allocator locks, maybe
// held by the fake server's thread at fork time (GCC 12's ASan does not take them around fork), and
// LeakSanitizer's exit-time check in the child then waits on them forever. Leak checks run in the
// test process itself only.
const pid_t g_test_pid = ::getpid();

child_result run_in_child(std::function<void()> const& body, std::string* out_path = nullptr,
                          std::mutex* out_path_mutex = nullptr) {
  char out_name[] = "/tmp/runtime_client_out_XXXXXX";
  char err_name[] = "/tmp/runtime_client_err_XXXXXX";
  int out_fd = ::mkstemp(out_name);
  int err_fd = ::mkstemp(err_name);
  if (out_path != nullptr) {
    std::unique_lock<std::mutex> lock;
    if (out_path_mutex != nullptr) lock = std::unique_lock(*out_path_mutex);
    *out_path = out_name;
  }
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::alarm(20);  // a hang fails the test (killed by SIGALRM) instead of blocking the suite
    body();
    std::fflush(nullptr);
    ::_exit(0);
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  child_result result;
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  result.out = read_file(out_name);
  result.err = read_file(err_name);
  ::close(out_fd);
  ::close(err_fd);
  ::unlink(out_name);
  ::unlink(err_name);
  return result;
}

TEST(RuntimeClient, RunHandlerServesEventsUntilTheApiFails) {
  std::string out_path;
  std::mutex seen_mutex;
  std::string stdout_at_first_post;
  fake_runtime_api api([&](received const& r) {
    if (r.target == kNext) {
      switch (r.index) {
        case 0:
          return reply{
              event("r1", R"({"n":1})", "Lambda-Runtime-Trace-Id: Root=1-abc;Sampled=1\r\n")};
        case 2:
          return reply{event("r2", R"("throw")")};
        default:
          return api_error(403, "InvalidStateTransition");
      }
    }
    if (r.index == 1) {
      std::lock_guard lock(seen_mutex);
      stdout_at_first_post = read_file(out_path);
    }
    return accepted();
  });
  ::setenv("AWS_LAMBDA_RUNTIME_API", api.endpoint().c_str(), 1);
  ::setenv("_X_AMZN_TRACE_ID", "stale", 1);

  auto result = run_in_child(
      [] {
        lambdad_runtime::run_handler([](invocation_request const& req) {
          // No newline and a file as stdout: stays buffered unless the runtime flushes it.
          std::printf("handled %s;", req.request_id.c_str());
          if (req.payload == R"("throw")") throw std::out_of_range("boom");
          char const* trace = std::getenv("_X_AMZN_TRACE_ID");
          return invocation_response::success(req.payload + "|" + (trace ? trace : "unset"));
        });
      },
      &out_path, &seen_mutex);

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("giving up after 3 failed /next calls"));
  EXPECT_EQ(result.out, "handled r1;handled r2;");
  {
    std::lock_guard lock(seen_mutex);
    EXPECT_EQ(stdout_at_first_post, "handled r1;");
  }

  auto requests = api.requests();
  ASSERT_EQ(requests.size(), 7u);
  EXPECT_EQ(requests[1].target, "/2018-06-01/runtime/invocation/r1/response");
  EXPECT_EQ(requests[1].body, R"({"n":1}|Root=1-abc;Sampled=1)");
  EXPECT_EQ(requests[3].target, "/2018-06-01/runtime/invocation/r2/error");
  EXPECT_EQ(requests[3].header("Lambda-Runtime-Function-Error-Type"), "std::out_of_range");
  EXPECT_EQ(requests[3].body,
            R"({"errorMessage":"boom","errorType":"std::out_of_range","stackTrace":[]})");
  for (std::size_t i : {0u, 2u, 4u, 5u, 6u}) EXPECT_EQ(requests[i].target, kNext) << i;
}

TEST(RuntimeClient, RunHandlerUnsetsAStaleTraceId) {
  fake_runtime_api api([](received const& r) {
    if (r.target != kNext) return accepted();
    return r.index == 0 ? reply{event("r1", "{}")} : api_error(403, "InvalidStateTransition");
  });
  ::setenv("AWS_LAMBDA_RUNTIME_API", api.endpoint().c_str(), 1);
  ::setenv("_X_AMZN_TRACE_ID", "stale", 1);

  auto result = run_in_child([] {
    lambdad_runtime::run_handler([](invocation_request const&) {
      char const* trace = std::getenv("_X_AMZN_TRACE_ID");
      return invocation_response::success(trace ? trace : "unset", "text/plain");
    });
  });

  EXPECT_EQ(result.exit_code, 1);
  auto requests = api.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[1].body, "unset");
}

TEST(RuntimeClient, RunHandlerExitsAfterThreeFailedNextCalls) {
  fake_runtime_api api([](received const&) { return api_error(403, "InvalidStateTransition"); });
  ::setenv("AWS_LAMBDA_RUNTIME_API", api.endpoint().c_str(), 1);

  auto result = run_in_child([] {
    lambdad_runtime::run_handler([](invocation_request const&) {
      std::printf("handler called\n");
      return invocation_response::success("{}");
    });
  });

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("giving up after 3 failed /next calls"));
  EXPECT_THAT(result.err, HasSubstr("HTTP 403"));
  EXPECT_EQ(api.requests().size(), 3u);
  EXPECT_EQ(result.out, "");
}

TEST(RuntimeClient, RunHandlerExitsAtOnceOnAContainerError) {
  fake_runtime_api api([](received const&) { return api_error(500, "ServiceException"); });
  ::setenv("AWS_LAMBDA_RUNTIME_API", api.endpoint().c_str(), 1);

  auto result = run_in_child([] {
    lambdad_runtime::run_handler(
        [](invocation_request const&) { return invocation_response::success("{}"); });
  });

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("unrecoverable"));
  EXPECT_EQ(api.requests().size(), 1u);
}

TEST(RuntimeClient, RunHandlerExitsWhenTheApiIsUnreachable) {
  // Bound but not listening: connections are refused, and no other test can take the port.
  int reserved = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(reserved, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(reserved, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string endpoint = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  ::setenv("AWS_LAMBDA_RUNTIME_API", endpoint.c_str(), 1);

  auto result = run_in_child([] {
    lambdad_runtime::run_handler(
        [](invocation_request const&) { return invocation_response::success("{}"); });
  });

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot connect"));
  EXPECT_THAT(result.err, HasSubstr("giving up after 3 failed /next calls"));
  ::close(reserved);
}

TEST(RuntimeClient, RunHandlerNeedsTheEndpointVariable) {
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");

  auto result = run_in_child([] {
    lambdad_runtime::run_handler(
        [](invocation_request const&) { return invocation_response::success("{}"); });
  });

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("AWS_LAMBDA_RUNTIME_API is not set"));
}

}  // namespace

extern "C" int __lsan_is_turned_off() {
  return ::getpid() != g_test_pid ? 1 : 0;
}
