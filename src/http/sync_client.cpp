#include "lambdad/http/sync_client.hpp"

#include <strings.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace lambdad::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::invalid_argument bad_url(std::string_view url, std::string_view why) {
  return std::invalid_argument("invalid URL '" + std::string(url) + "': " + std::string(why));
}

bool valid_port(std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && end == port.data() + port.size() && value > 0 && value < 65536;
}

/// Splits `host[:port]` or `[v6]:port`.
std::pair<std::string, std::string> split_authority(std::string_view url, std::string_view auth) {
  std::string_view host = auth, port = "80";
  if (auth.starts_with('[')) {
    const size_t close = auth.find(']');
    if (close == std::string_view::npos) throw bad_url(url, "unclosed '[' in host");
    host = auth.substr(1, close - 1);
    if (close + 1 < auth.size()) {
      if (auth[close + 1] != ':') throw bad_url(url, "junk after ']'");
      port = auth.substr(close + 2);
    }
  } else if (const size_t colon = auth.rfind(':'); colon != std::string_view::npos) {
    host = auth.substr(0, colon);
    port = auth.substr(colon + 1);
  }
  if (host.empty()) throw bad_url(url, "no host");
  if (!valid_port(port)) throw bad_url(url, "bad port '" + std::string(port) + "'");
  return {std::string(host), std::string(port)};
}

bhttp::request<bhttp::string_body> build(const Url& url, std::string_view method,
                                         std::string_view target, const Headers& headers,
                                         std::string_view body) {
  const bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) {
    throw std::invalid_argument("unknown HTTP method '" + std::string(method) + "'");
  }
  std::string full_target = url.base_path + std::string(target.empty() ? "/" : target);
  bhttp::request<bhttp::string_body> req{verb, full_target, 11};
  const bool v6 = url.host.find(':') != std::string::npos;
  req.set(bhttp::field::host, (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port);
  req.set(bhttp::field::user_agent, "lambdad/" LAMBDAD_VERSION);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  req.prepare_payload();
  return req;
}

struct Exchange {
  const Url& url;
  bhttp::request<bhttp::string_body> request;
  RequestOptions options;
  ClientResponse response;
  std::string phase = "resolving";
};

asio::awaitable<void> run(Exchange& x) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto endpoints =
      co_await resolver.async_resolve(x.url.host, x.url.port, asio::use_awaitable);
  beast::tcp_stream stream(executor);
  // tcp_stream's deadline covers connect, write and read; it is set once for the whole exchange.
  stream.expires_after(x.options.timeout);
  x.phase = "connecting";
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  x.phase = "sending";
  co_await bhttp::async_write(stream, x.request, asio::use_awaitable);
  x.phase = "reading the response";
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(x.options.body_limit);
  co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
  auto message = parser.release();
  x.response.status = message.result_int();
  for (const auto& field : message) {
    x.response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  x.response.body = std::move(message.body());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

[[noreturn]] void fail(const Exchange& x, const boost::system::system_error& e) {
  const std::string where = x.url.text();
  if (e.code() == beast::error::timeout) {
    throw ClientError("timed out after " + std::to_string(x.options.timeout.count()) + " ms " +
                      x.phase + " (" + where + ")");
  }
  throw ClientError("HTTP request to " + where + " failed while " + x.phase + ": " +
                    e.code().message());
}

}  // namespace

std::string Url::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port + base_path;
}

Url parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://")) throw bad_url(url, "https is not supported; use http://");
  if (!url.starts_with(kScheme)) throw bad_url(url, "expected http://host:port");
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (path.ends_with('/')) path.remove_suffix(1);
  auto [host, port] = split_authority(url, rest.substr(0, slash));
  return Url{std::move(host), std::move(port), std::string(path)};
}

std::optional<std::string> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

ClientResponse request(const Url& url, std::string_view method, std::string_view target,
                       const Headers& headers, std::string_view body, RequestOptions options) {
  Exchange x{url, build(url, method, target, headers, body), options, {}};
  asio::io_context io;
  std::exception_ptr error;
  asio::co_spawn(io, run(x), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (!error) return std::move(x.response);
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    fail(x, e);
  }
}

}  // namespace lambdad::http
