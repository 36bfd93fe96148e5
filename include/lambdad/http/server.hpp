#pragma once
/// @brief lambdad's HTTP/1.1 server loop (Beast over Asio coroutines), shared by the gateway, the
/// Lambda API and every worker's Runtime API endpoint.
///
/// Thread safety: lambdad runs its io_context on one thread, the implicit strand of every
/// connection; handlers run there and may touch scheduler state directly.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace lambdad::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using RequestHeader = bhttp::request_header<>;

/// What a handler does with a request whose header has arrived but whose body has not: the body
/// limit to read with, or an immediate response (e.g. 413 from Content-Length) after which the
/// connection closes because the body was never read.
struct BodyPolicy {
  uint64_t limit = 1024 * 1024;
  std::optional<Response> reject;
};

/// Why the server loop answers a request by itself instead of the handler. Each listener renders
/// these in its own AWS shape (Handler::protocol_error): one mapping per port, in one place.
enum class ProtocolError {
  kMalformed,        ///< 400: request line, header, Content-Length, Transfer-Encoding or chunk
                     ///< that does not parse (the detail is Beast's reason, e.g. "bad chunk")
  kHeadersTooLarge,  ///< 431: the header section is over ConnectionLimits::header_limit
  kOverloaded,       ///< 503: the listener is at its connection cap, or near the fd limit, and
                     ///< no idle connection could be closed to make room
  kInternal,         ///< 500: the handler threw
};

/// The two ends of a connection, for handlers that report them (the gateway's `sourceIp`).
struct Peer {
  tcp::endpoint remote;
  tcp::endpoint local;
  /// The lambda port: whether the client is a worker's process, found out by the first request
  /// that needs to know and kept for the connection's next ones (the check walks /proc: once per
  /// connection, and never for connections that only invoke).
  mutable std::optional<bool> client_is_worker;
};

struct Handler {
  std::function<BodyPolicy(const RequestHeader&)> body_policy;
  std::function<asio::awaitable<Response>(Request&)> handle;
  /// Used instead of `handle` when set: the same, with the connection's two ends.
  std::function<asio::awaitable<Response>(Request&, const Peer&)> handle_from;
  /// When a body exceeds the limit while being read (chunked): the response to send.
  std::function<Response(const RequestHeader&)> body_too_large;
  /// The answer the server loop gives by itself (see ProtocolError; `detail` says what was wrong,
  /// for the message). Unset: the status with an empty body (tests only; every port sets it).
  std::function<Response(ProtocolError, std::string_view detail)> protocol_error;
  /// Runtime API: when the client has already sent its next request (pipelining), hold this
  /// answer in the socket (MSG_MORE) and send it with the next one, so that a worker that sends
  /// POST /response and GET /next together wakes once for both answers instead of twice.
  bool coalesce_pipelined_answers = false;
  /// When set, asked right after accept: a connection it refuses is closed before anything is
  /// read (Runtime API: only the worker's own processes may speak to its endpoint).
  std::function<bool(const Peer&)> admit;
};

struct ConnectionLimits {
  uint32_t header_limit = 8 * 1024;
  /// Time allowed for reading one request (header and body) once its first bytes have arrived,
  /// and, unless idle_timeout says otherwise, between requests; nullopt = wait forever
  /// (Runtime API connections: a worker may take as long as its timeout between calls).
  std::optional<std::chrono::seconds> read_timeout = std::chrono::seconds(60);
  /// Time a kept-alive connection may stay idle between requests; nullopt = read_timeout.
  std::optional<std::chrono::seconds> idle_timeout;
  /// Time allowed for writing one response; nullopt = no limit (Runtime API connections: a
  /// worker that stops reading is ended by its invocation's timeout, and no timer is armed on
  /// the warm path).
  std::optional<std::chrono::seconds> write_timeout = std::chrono::seconds(60);
  /// Connections the listener serves at once (0: no cap). A new one beyond it first closes the
  /// listener's oldest idle connection (waiting for its next request, or its first), when
  /// `evict_idle`; else, or when none is idle, it is answered ProtocolError::kOverloaded and
  /// closed at once: a fast refusal instead of a client hanging in the accept queue.
  size_t max_connections = 0;
  bool evict_idle = true;
  /// The same refusal when the accepted socket's fd number comes within this many of the soft
  /// RLIMIT_NOFILE: the kernel hands out the lowest free fd, so that many fds below it are in use.
  /// Listeners get different reserves so that a flooded one leaves fds for the others (the
  /// lambda port's /healthz, workers' pipes and endpoints).
  size_t fd_reserve = 0;
};

using RequestParser = bhttp::request_parser<bhttp::string_body>;

/// Sets up the parser of a connection's next request: `limits.header_limit` on its header, and no
/// body limit yet. Beast would check Content-Length against its own 1 MiB default while reading
/// the header; the limit is the handler's BodyPolicy, known only once it has seen the header.
void prepare_parser(RequestParser& parser, const ConnectionLimits& limits);

/// Accepts connections until the acceptor is closed, one coroutine each, each served until the
/// peer closes it, a timeout, or a non-keep-alive exchange, within the limits' connection cap and
/// fd reserve. Each connection keeps the handler alive; the acceptor must outlive this coroutine.
/// When accept itself fails (EMFILE / ENFILE) the waiting client is taken with a spare fd and
/// closed, the loop backs off (up to a second), and the failures are logged at most once per
/// interval with their count.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<const Handler> handler,
                                  ConnectionLimits limits);

/// Listens on host:port (0 = any free port), throws std::system_error with the address on failure.
tcp::acceptor listen(asio::any_io_executor executor, const std::string& host, uint16_t port);

/// Whether the client asked to keep the connection open (HTTP/1.1 default, or 1.0 keep-alive).
bool wants_keep_alive(const RequestHeader& header);

/// A response with a body and content type, keep-alive as the request asked.
Response make_response(const Request& request, unsigned status, std::string body,
                       std::string_view content_type = "application/json");

/// Current time in HTTP-date format (RFC 9110), cached per second.
std::string_view http_date();

}  // namespace lambdad::http
