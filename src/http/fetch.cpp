#include "lambdad/http/fetch.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace lambdad::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;

struct Target {
  bool tls = false;
  Url authority;       ///< host and port (validated by parse_url)
  std::string target;  ///< path and query, "/" at least
};

Target split(const std::string& url) {
  Target out;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    out.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    throw std::invalid_argument("invalid URL '" + url + "': expected http:// or https://");
  }
  const size_t slash = rest.find_first_of("/?");
  std::string authority(rest.substr(0, slash));
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.starts_with('?')) out.target.insert(0, "/");
  // parse_url defaults to port 80: give it the scheme's port when the URL names none.
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port =
      colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  if (!has_port) authority += out.tls ? ":443" : ":80";
  out.authority = parse_url("http://" + authority);
  return out;
}

ssl::context& tls_context() {
  static ssl::context context = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_default_verify_paths();
    c.set_verify_mode(ssl::verify_peer);
    return c;
  }();
  return context;
}

bool is_own_header(std::string_view name) {
  return beast::iequals(name, "host") || beast::iequals(name, "connection") ||
         beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding");
}

bhttp::request<bhttp::string_body> make_request(const Target& t, const FetchRequest& spec) {
  bhttp::request<bhttp::string_body> req;
  req.version(11);
  req.method_string(spec.method);
  req.target(t.target);
  const std::string& host = t.authority.host;
  const bool v6 = host.find(':') != std::string::npos;
  const bool default_port = t.authority.port == (t.tls ? "443" : "80");
  req.set(bhttp::field::host,
          (v6 ? "[" + host + "]" : host) + (default_port ? "" : ":" + t.authority.port));
  if (spec.headers.empty()) {
    req.set(bhttp::field::user_agent, "lambdad/" LAMBDAD_VERSION);
    req.set(bhttp::field::accept, "application/json");
  }
  for (const auto& [name, value] : spec.headers) {
    if (!is_own_header(name)) req.insert(name, value);
  }
  req.set(bhttp::field::connection, "close");
  req.body() = spec.body;
  // A body, or a method that usually has one: say how long (0 included), as clients do.
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT" ||
      spec.method == "PATCH") {
    req.prepare_payload();
  }
  return req;
}

template <typename Stream>
asio::awaitable<ClientResponse> exchange(Stream& stream, const Target& t, const FetchRequest& spec,
                                         uint64_t body_limit) {
  auto request = make_request(t, spec);
  co_await bhttp::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_limit);
  // A HEAD answer has a Content-Length but no body.
  if (spec.method == "HEAD") parser.skip(true);
  co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
  auto message = parser.release();
  ClientResponse out;
  out.status = message.result_int();
  for (const auto& field : message) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(message.body());
  co_return out;
}

}  // namespace

asio::awaitable<ClientResponse> fetch(std::string url, FetchOptions options) {
  // A named request: GCC 12 destroys a temporary argument of a coroutine call inside co_await
  // twice.
  FetchRequest request;
  ClientResponse response = co_await fetch(std::move(url), std::move(request), options);
  co_return response;
}

asio::awaitable<ClientResponse> fetch(std::string url, FetchRequest spec, FetchOptions options) {
  const Target t = split(url);
  auto executor = co_await asio::this_coro::executor;
  const char* phase = "resolving";
  try {
    asio::ip::tcp::resolver resolver(executor);
    const auto endpoints =
        co_await resolver.async_resolve(t.authority.host, t.authority.port, asio::use_awaitable);
    beast::tcp_stream tcp(executor);
    // tcp_stream's deadline covers connect, the handshake, write and read.
    tcp.expires_after(options.timeout);
    phase = "connecting";
    co_await tcp.async_connect(endpoints, asio::use_awaitable);
    if (!t.tls) {
      phase = "exchanging";
      ClientResponse response = co_await exchange(tcp, t, spec, options.body_limit);
      co_return response;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls_context());
    if (!SSL_set_tlsext_host_name(stream.native_handle(), t.authority.host.c_str())) {
      throw ClientError("TLS: cannot set the server name " + t.authority.host);
    }
    stream.set_verify_callback(ssl::host_name_verification(t.authority.host));
    phase = "in the TLS handshake";
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    phase = "exchanging";
    ClientResponse response = co_await exchange(stream, t, spec, options.body_limit);
    co_return response;
  } catch (const boost::system::system_error& e) {
    if (e.code() == beast::error::timeout) {
      throw ClientError(spec.method + " " + url + ": timed out after " +
                        std::to_string(options.timeout.count()) + " ms " + phase);
    }
    throw ClientError(spec.method + " " + url + " failed " + (phase[0] == 'i' ? "" : "while ") +
                      phase + ": " + e.code().message());
  }
}

}  // namespace lambdad::http
