#include "lambdad/http/server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

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
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>

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

Response protocol_error(const Handler& handler, bhttp::status status) {
  Response r = handler.protocol_error ? handler.protocol_error(status) : Response{status, 11};
  r.keep_alive(false);
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

}  // namespace

asio::awaitable<void> serve_connection(tcp::socket socket,
                                       std::shared_ptr<const Handler> handler_ptr,
                                       ConnectionLimits limits) {
  const Handler& handler = *handler_ptr;
  socket.set_option(tcp::no_delay(true));
  Peer peer;
  if (handler.handle_from) {
    boost::system::error_code ignored;
    peer.remote = socket.remote_endpoint(ignored);
    peer.local = socket.local_endpoint(ignored);
  }
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  const auto idle_timeout = limits.idle_timeout ? limits.idle_timeout : limits.read_timeout;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(limits.header_limit);
    // Beast checks Content-Length against the body limit while reading the header; the limit is
    // only known once the handler has seen the header, so it is applied below instead.
    parser.body_limit(boost::none);
    if (buffer.size() == 0 && idle_timeout != limits.read_timeout) {
      // Idle between requests: wait for the next one's first bytes under the idle timeout.
      arm_timer(stream, idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(16 * 1024), kAwait);
      if (ec) break;
      buffer.commit(n);
    }
    arm_timer(stream, limits.read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kAwait);
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        Response r = protocol_error(handler, bhttp::status::request_header_fields_too_large);
        co_await send(stream, r, limits);
      } else if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
                 ec != asio::error::connection_reset && ec != asio::error::operation_aborted) {
        Response r = protocol_error(handler, bhttp::status::bad_request);
        co_await send(stream, r, limits);
      }
      break;
    }
    BodyPolicy policy =
        handler.body_policy ? handler.body_policy(parser.get().base()) : BodyPolicy{};
    if (policy.reject) {
      policy.reject->keep_alive(false);
      co_await send(stream, *policy.reject, limits);
      break;
    }
    if (auto length = parser.content_length(); length && *length > policy.limit) {
      Response r = handler.body_too_large ? handler.body_too_large(parser.get().base())
                                          : Response{bhttp::status::payload_too_large, 11};
      r.keep_alive(false);
      co_await send(stream, r, limits);
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
      break;
    }
    if (ec) {
      // A malformed body (a bad chunk) is answered; a peer that went away or timed out is not.
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
          ec != bhttp::error::partial_message && ec != bhttp::error::end_of_stream) {
        Response r = protocol_error(handler, bhttp::status::bad_request);
        co_await send(stream, r, limits);
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
      response = make_response(request, 500, R"({"message":"Internal server error"})");
    }
    const bool keep_alive = response.keep_alive();
    const bool more = handler.coalesce_pipelined_answers && keep_alive && buffer.size() > 0;
    if (!co_await send(stream, response, limits, head, more) || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

namespace {

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
  for (;;) {
    // No explicit strand: the io_context runs on one thread, which is every connection's implicit
    // strand; a strand object would only add a lock and an indirection to each operation.
    auto [ec, socket] = co_await acceptor.async_accept(kAwait);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of fds and the like: back off a little rather than spin.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(kAwait);
      continue;
    }
    if (handler->admit && !admitted(socket, *handler)) continue;
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve_connection(std::move(socket), handler, limits), asio::detached);
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
