#include "lambdad/http/server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>

#include "connections.hpp"

namespace lambdad::http {
namespace {

namespace beast = boost::beast;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

void arm_timer(beast::tcp_stream& stream, const std::optional<std::chrono::seconds>& timeout) {
  if (timeout) {
    stream.expires_after(*timeout);
  } else {
    stream.expires_never();
  }
}

/// The response as it goes on the wire, in one buffer: one copy is cheaper than Beast's
/// serializer (a scatter list rebuilt as it writes) for the small answers that make up most
/// traffic. `head`: the answer to a HEAD request keeps its Content-Length but sends no body.
std::string render(Response& response, bool head) {
  response.set(bhttp::field::date, http_date());
  response.prepare_payload();
  const std::string_view reason = response.reason();
  std::string wire;
  wire.reserve(256 + (head ? 0 : response.body().size()));
  wire += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  wire += std::to_string(response.result_int());
  wire += ' ';
  wire += reason.empty() ? std::string_view(bhttp::obsolete_reason(response.result())) : reason;
  wire += "\r\n";
  for (const auto& field : response) {
    wire += field.name_string();
    wire += ": ";
    wire += field.value();
    wire += "\r\n";
  }
  wire += "\r\n";
  if (!head) wire += response.body();
  return wire;
}

/// `more`: another answer follows at once (a pipelined request), so this one waits in the socket
/// (MSG_MORE) and both leave in one segment: a worker that sends POST /response and GET /next
/// together then wakes once for both answers instead of twice.
asio::awaitable<bool> send(beast::tcp_stream& stream, Response& response,
                           const ConnectionLimits& limits, bool head = false, bool more = false) {
  const std::string wire = render(response, head);
  arm_timer(stream, limits.write_timeout);
  size_t sent = 0;
  if (more) {
    // Usually small (a 202), so the socket's buffer takes it whole and it waits there for the
    // next answer; whatever does not fit goes below, under the write timeout.
    auto [ec, n] = co_await stream.socket().async_send(asio::buffer(wire), MSG_MORE, kAwait);
    if (ec) co_return false;
    sent = n;
  }
  if (sent < wire.size()) {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire) + sent, kAwait);
    if (ec) co_return false;
  }
  co_return true;
}

bhttp::status status_of(ProtocolError error) {
  switch (error) {
    case ProtocolError::kMalformed:
      return bhttp::status::bad_request;
    case ProtocolError::kHeadersTooLarge:
      return bhttp::status::request_header_fields_too_large;
    case ProtocolError::kOverloaded:
      return bhttp::status::service_unavailable;
    case ProtocolError::kInternal:
      return bhttp::status::internal_server_error;
  }
  return bhttp::status::internal_server_error;
}

/// The port's own answer; the connection closes after it (but for kInternal, where the request
/// was read whole and the handler's answer would have kept it open).
Response protocol_error(const Handler& handler, ProtocolError error, std::string_view detail) {
  Response r = handler.protocol_error ? handler.protocol_error(error, detail)
                                      : Response{status_of(error), 11};
  if (error != ProtocolError::kInternal) r.keep_alive(false);
  return r;
}

// `Expect: 100-continue` clients (some SDKs for large bodies) wait for this before sending.
asio::awaitable<bool> continue_if_expected(beast::tcp_stream& stream, const RequestHeader& header) {
  auto expect = header[bhttp::field::expect];
  if (!beast::iequals(expect, "100-continue")) co_return true;
  bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, header.version()};
  auto [ec, n] = co_await bhttp::async_write(stream, cont, kAwait);
  co_return !ec;
}

uint64_t fd_soft_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
  return limit.rlim_cur;
}

/// The answer to a client over the listener's limits, sent at once and without waiting: the
/// socket is new, so its send buffer takes a few hundred bytes whole. What the client already
/// sent is read first, so that closing does not reset the connection before it reads the answer.
void refuse(tcp::socket& socket, const Handler& handler, std::string_view detail) {
  Response response = protocol_error(handler, ProtocolError::kOverloaded, detail);
  const std::string wire = render(response, false);
  const int fd = socket.native_handle();
  char scratch[4096];
  for (int i = 0; i < 16 && ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; ++i) {
  }
  (void)!::send(fd, wire.data(), wire.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  boost::system::error_code ignored;
  socket.close(ignored);
}

/// One fd kept open for the moment every other one is taken: closed to accept (and close) the
/// client waiting in the queue, then taken again. Shared by every listener: they all run on the
/// io thread.
int spare_fd = -1;

void refuse_with_spare_fd(int listener) {
  if (spare_fd < 0) return;
  ::close(spare_fd);
  const int client = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client >= 0) ::close(client);
  spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/// Accept failures of one listener (out of fds and the like). The client stays in the accept
/// queue and epoll keeps saying so: on EMFILE / ENFILE it is taken with the spare fd and closed (a
/// fast refusal instead of a hang); then the loop pauses (doubling from 10 ms to 1 s) rather than
/// spin, and logs at most one line every 10 s, with the count since the last one.
class AcceptFailures {
 public:
  asio::awaitable<void> back_off(const boost::system::error_code& ec, tcp::acceptor& acceptor) {
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
      refuse_with_spare_fd(acceptor.native_handle());
    }
    ++count_;
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_log_) {
      boost::system::error_code ignored;
      spdlog::warn("accept failed on port {}: {} ({} time{} since the last such line); backing off",
                   acceptor.local_endpoint(ignored).port(), ec.message(), count_,
                   count_ == 1 ? "" : "s");
      count_ = 0;
      next_log_ = now + std::chrono::seconds(10);
    }
    pause_ = std::min(std::chrono::milliseconds(1000),
                      pause_.count() ? pause_ * 2 : std::chrono::milliseconds(10));
    asio::steady_timer timer(acceptor.get_executor(), pause_);
    co_await timer.async_wait(kAwait);
  }
  void succeeded() { pause_ = std::chrono::milliseconds(0); }

 private:
  size_t count_ = 0;
  std::chrono::steady_clock::time_point next_log_{};
  std::chrono::milliseconds pause_{0};
};

/// Whether a listener takes a new connection: under its cap and clear of the fd reserve, or
/// after closing its oldest idle connection to make room; else the client is refused at once.
class Admission {
 public:
  Admission(const ConnectionLimits& limits, const std::shared_ptr<const Handler>& handler)
      : limits_(limits), handler_(handler), fd_ceiling_(fd_soft_limit()) {
    if (spare_fd < 0) spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  bool admit(tcp::socket& socket) {
    const bool over_cap =
        limits_.max_connections && connections_->count() >= limits_.max_connections;
    const bool near_fd_limit =
        limits_.fd_reserve &&
        static_cast<uint64_t>(socket.native_handle()) + limits_.fd_reserve >= fd_ceiling_;
    if (!over_cap && !near_fd_limit) return true;
    if (limits_.evict_idle && connections_->evict_oldest_idle()) return true;
    const std::string why = over_cap ? std::to_string(limits_.max_connections) + " at most"
                                     : std::string("the server is near its open-file limit");
    boost::system::error_code ignored;
    const uint16_t port = socket.local_endpoint(ignored).port();
    refuse(socket, handler_ ? *handler_ : Handler{}, why);
    note_refusal(port, why);
    return false;
  }

  const std::shared_ptr<Connections>& connections() const { return connections_; }

 private:
  /// A degraded mode says so: one line per 10 s with the count, never one per client.
  void note_refusal(uint16_t port, const std::string& why) {
    ++refused_;
    const auto now = std::chrono::steady_clock::now();
    if (now < next_log_) return;
    spdlog::warn(
        "port {}: refused {} connection{} over its limits ({}; {} closed idle to make room "
        "so far)",
        port, refused_, refused_ == 1 ? "" : "s", why, connections_->evictions());
    refused_ = 0;
    next_log_ = now + std::chrono::seconds(10);
  }

  size_t refused_ = 0;
  std::chrono::steady_clock::time_point next_log_{};
  const ConnectionLimits& limits_;
  std::shared_ptr<const Handler> handler_;
  const uint64_t fd_ceiling_;
  std::shared_ptr<Connections> connections_ = std::make_shared<Connections>();
};

/// After an error answer the client may still be sending what was not read (a body, the rest of
/// a header): closing now would reset the connection, and a reset can destroy the answer before
/// the client reads it. So what arrives is read and dropped for a moment first (at most 1 s, as
/// nginx's lingering close, and 8 MiB: enough for a refused 6 MB payload still in flight; a
/// smaller cap reset such clients before they read their 413, under load).
asio::awaitable<void> linger(beast::tcp_stream& stream) {
  stream.expires_after(std::chrono::seconds(1));
  std::vector<char> scratch(16 * 1024);
  for (size_t total = 0; total < (8u << 20);) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAwait);
    if (ec) break;
    total += n;
  }
}

}  // namespace

void prepare_parser(RequestParser& parser, const ConnectionLimits& limits) {
  parser.header_limit(limits.header_limit);
  parser.body_limit(boost::none);  // set from the handler's BodyPolicy once the header is read
}

namespace {

/// Serves one connection until the peer closes it, a timeout, a non-keep-alive exchange, or the
/// listener closes it to make room.
asio::awaitable<void> serve_connection(tcp::socket socket,
                                       std::shared_ptr<const Handler> handler_ptr,
                                       ConnectionLimits limits,
                                       std::shared_ptr<Connections> connections) {
  const Handler& handler = *handler_ptr;
  socket.set_option(tcp::no_delay(true));
  Peer peer;
  if (handler.handle_from) {
    boost::system::error_code ignored;
    peer.remote = socket.remote_endpoint(ignored);
    peer.local = socket.local_endpoint(ignored);
  }
  beast::tcp_stream stream(std::move(socket));
  Connections::Slot slot(*connections, stream.socket());
  beast::flat_buffer buffer;
  const auto idle_timeout = limits.idle_timeout ? limits.idle_timeout : limits.read_timeout;
  // A listener that closes idle connections to make room must know which are idle; the Runtime
  // API's (no cap to make room under, no idle timeout) skip the extra wait on the warm path.
  const bool track_idle = limits.max_connections > 0 && limits.evict_idle;
  bool unread = false;  // an error answer was sent while the client may still be sending
  for (;;) {
    RequestParser parser;
    prepare_parser(parser, limits);
    if (buffer.size() == 0 && (idle_timeout != limits.read_timeout || track_idle)) {
      // Idle between requests: wait for the next one's first bytes under the idle timeout.
      arm_timer(stream, idle_timeout);
      slot.idle(true);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(16 * 1024), kAwait);
      slot.idle(false);
      if (ec || slot.evicted()) break;
      buffer.commit(n);
    }
    arm_timer(stream, limits.read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kAwait);
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        Response r =
            protocol_error(handler, ProtocolError::kHeadersTooLarge,
                           "header fields over " + std::to_string(limits.header_limit) + " bytes");
        co_await send(stream, r, limits);
        unread = true;
      } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
                 ec != bhttp::error::end_of_stream) {
        // A malformed request (Beast's own error) is answered; a peer that went away or timed
        // out is not. partial_message: the client stopped sending mid-header but may still read.
        Response r = protocol_error(handler, ProtocolError::kMalformed, ec.message());
        co_await send(stream, r, limits);
        unread = true;
      }
      break;
    }
    if (!parser.chunked() && parser.get().count(bhttp::field::transfer_encoding) > 0) {
      // RFC 9112 6.1: a request whose last transfer coding is not chunked has no knowable length
      // (Beast would read it as bodiless, the next bytes as another request: smuggling).
      Response r = protocol_error(handler, ProtocolError::kMalformed, "bad Transfer-Encoding");
      co_await send(stream, r, limits);
      unread = true;
      break;
    }
    BodyPolicy policy =
        handler.body_policy ? handler.body_policy(parser.get().base()) : BodyPolicy{};
    if (policy.reject) {
      policy.reject->keep_alive(false);
      co_await send(stream, *policy.reject, limits);
      unread = true;
      break;
    }
    if (auto length = parser.content_length(); length && *length > policy.limit) {
      Response r = handler.body_too_large ? handler.body_too_large(parser.get().base())
                                          : Response{bhttp::status::payload_too_large, 11};
      r.keep_alive(false);
      co_await send(stream, r, limits);
      unread = true;
      break;
    }
    parser.body_limit(policy.limit);  // for chunked bodies, checked as they arrive
    if (!co_await continue_if_expected(stream, parser.get().base())) break;
    std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kAwait);
    if (ec == bhttp::error::body_limit) {
      Response r = handler.body_too_large ? handler.body_too_large(parser.get().base())
                                          : Response{bhttp::status::payload_too_large, 11};
      r.keep_alive(false);
      co_await send(stream, r, limits);
      unread = true;
      break;
    }
    if (ec) {
      // A malformed body (a bad chunk) is answered; a peer that went away or timed out is not.
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
          ec != bhttp::error::partial_message && ec != bhttp::error::end_of_stream) {
        Response r = protocol_error(handler, ProtocolError::kMalformed, ec.message());
        co_await send(stream, r, limits);
        unread = true;
      }
      break;
    }
    Request request = parser.release();
    const bool head = request.method() == bhttp::verb::head;
    Response response;
    try {
      // (Not a conditional expression: GCC 12 miscompiles co_await inside one.)
      if (handler.handle_from) {
        response = co_await handler.handle_from(request, peer);
      } else {
        response = co_await handler.handle(request);
      }
    } catch (const std::exception& e) {
      spdlog::error("http handler failed on {} {}: {}", std::string(request.method_string()),
                    std::string(request.target()), e.what());
      response = protocol_error(handler, ProtocolError::kInternal, e.what());
      response.keep_alive(request.keep_alive());
    }
    const bool keep_alive = response.keep_alive();
    const bool more = handler.coalesce_pipelined_answers && keep_alive && buffer.size() > 0;
    if (!co_await send(stream, response, limits, head, more) || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (unread) co_await linger(stream);
}

// Asks the handler whether the connection's client may speak here; closes it when not.
bool admitted(tcp::socket& socket, const Handler& handler) {
  boost::system::error_code ec1, ec2;
  const Peer peer{socket.remote_endpoint(ec1), socket.local_endpoint(ec2)};
  if (!ec1 && !ec2 && handler.admit(peer)) return true;
  socket.close(ec1);
  return false;
}

}  // namespace

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<const Handler> handler,
                                  ConnectionLimits limits) {
  Admission admission(limits, handler);
  AcceptFailures failures;
  for (;;) {
    // No explicit strand: the io_context runs on one thread, which is every connection's implicit
    // strand; a strand object would only add a lock and an indirection to each operation.
    auto [ec, socket] = co_await acceptor.async_accept(kAwait);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      co_await failures.back_off(ec, acceptor);
      continue;
    }
    failures.succeeded();
    // Another process's connection is closed first: it must not take, or free, a place.
    if (handler->admit && !admitted(socket, *handler)) continue;
    if (!admission.admit(socket)) continue;
    auto executor = socket.get_executor();
    asio::co_spawn(executor,
                   serve_connection(std::move(socket), handler, limits, admission.connections()),
                   asio::detached);
  }
}

tcp::acceptor listen(asio::any_io_executor executor, const std::string& host, uint16_t port) {
  tcp::resolver resolver(executor);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::system_error(ec, "cannot resolve listen address " + host);
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  tcp::acceptor acceptor(executor);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::system_error(ec, "cannot listen on " + host + ":" + std::to_string(port));
  }
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

bool wants_keep_alive(const RequestHeader& header) {
  bhttp::token_list tokens(header[bhttp::field::connection]);
  if (header.version() >= 11) return !tokens.exists("close");
  return tokens.exists("keep-alive");
}

Response make_response(const Request& request, unsigned status, std::string body,
                       std::string_view content_type) {
  Response response{static_cast<bhttp::status>(status), request.version()};
  response.keep_alive(request.keep_alive());
  if (!content_type.empty()) response.set(bhttp::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[64] = {};
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return text;
}

}  // namespace lambdad::http
