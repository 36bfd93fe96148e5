#pragma once
/// @brief A small blocking HTTP/1.1 client for the command-line tools (`lambdad logs --endpoint`,
/// `lambdad invoke --endpoint`). One connection per request; never use it on an I/O thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdad::http {

/// `http://host[:port][/base]`, e.g. from `--endpoint`.
struct Url {
  std::string host;          ///< without IPv6 brackets
  std::string port;          ///< "80" when the URL gives none
  std::string base_path;     ///< "" or "/base" (no trailing slash); prefixed to request targets
  std::string text() const;  ///< `http://host:port` + base_path, for messages
};

/// Throws std::invalid_argument naming the URL (not http://, no host, bad port).
Url parse_url(std::string_view url);

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  unsigned status = 0;
  Headers headers;
  std::string body;
  /// Case-insensitive lookup of the first header called `name`.
  std::optional<std::string> header(std::string_view name) const;
};

/// Network failures and timeouts (not HTTP error statuses, which are returned).
class ClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RequestOptions {
  std::chrono::milliseconds timeout{30'000};  ///< for connecting, sending and receiving
  uint64_t body_limit = 64ull * 1024 * 1024;  ///< larger responses fail with ClientError
};

/// Sends one request and reads the whole response. `Host`, `Content-Length` and `User-Agent`
/// are added unless given in `headers`. method: GET, POST, PUT, DELETE, …
ClientResponse request(const Url& url, std::string_view method, std::string_view target,
                       const Headers& headers, std::string_view body, RequestOptions options = {});

/// Same, with only a timeout.
inline ClientResponse request(const Url& url, std::string_view method, std::string_view target,
                              const Headers& headers, std::string_view body,
                              std::chrono::milliseconds timeout) {
  return request(url, method, target, headers, body, RequestOptions{timeout});
}

}  // namespace lambdad::http
