#pragma once
/// @brief An HTTP exchange with an http:// or https:// URL as a coroutine on the caller's
/// executor: the gateway's outbound calls (JWKS discovery, OpenAPI `http_proxy` integrations),
/// which must never block an io thread. One connection per call, closed after it.
///
/// TLS verifies the server's certificate against the system's CA store (OpenSSL's default
/// paths, which SSL_CERT_FILE / SSL_CERT_DIR override) and its host name, and sends SNI.
///
/// Thread safety: each call is independent; the TLS context is shared and read-only.

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lambdad/http/sync_client.hpp"

namespace lambdad::http {

struct FetchOptions {
  std::chrono::milliseconds timeout{10'000};  ///< for the whole exchange
  uint64_t body_limit = 1024 * 1024;
};

/// What to send: GET with `Accept: application/json` unless told otherwise.
struct FetchRequest {
  std::string method = "GET";
  /// Sent as given (Host, Connection and Content-Length are fetch's own and left out);
  /// empty: `Accept: application/json`.
  Headers headers;
  std::string body;
};

/// Throws std::invalid_argument for a URL that is not http(s)://host[:port][/target], and
/// ClientError for network, TLS and timeout failures (HTTP error statuses are returned).
boost::asio::awaitable<ClientResponse> fetch(std::string url, FetchOptions options = {});
boost::asio::awaitable<ClientResponse> fetch(std::string url, FetchRequest request,
                                             FetchOptions options);

}  // namespace lambdad::http
