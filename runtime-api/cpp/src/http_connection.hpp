// A minimal HTTP/1.1 client: one keep-alive TCP connection to the Runtime API, blocking calls,
// no timeouts. Only what the Runtime API needs: requests with a Content-Length body, replies
// framed by Content-Length, chunked encoding or connection close.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdad_runtime::detail {

struct http_response {
  int status = 0;
  /// Names lowercased, values trimmed, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header of that (lowercase) name, or nullptr.
  std::string const* header(std::string_view lower_name) const;
};

class connection {
 public:
  /// @throws std::invalid_argument when `endpoint` is not `host:port` or `[v6]:port`.
  explicit connection(std::string_view endpoint);
  ~connection();
  connection(connection const&) = delete;
  connection& operator=(connection const&) = delete;

  /// Sends one request and reads its reply into `out`. `extra_headers` are complete
  /// `Name: value\r\n` lines; Host, User-Agent and (for a body or a POST) Content-Length are
  /// added here. false on a transport or framing failure, described by error().
  ///
  /// `then_get`: a GET target sent in the same write (HTTP/1.1 pipelining); its reply is left on
  /// the connection for the next request() of that GET, which reads it instead of asking again.
  bool request(std::string_view method, std::string_view target, std::string_view extra_headers,
               std::string_view body, http_response& out, std::string_view then_get = {});

  std::string const& error() const { return error_; }

 private:
  bool open();
  void close();
  bool peer_closed() const;
  std::string head_of(std::string_view method, std::string_view target,
                      std::string_view extra_headers, bool with_length, std::size_t length) const;
  bool send_request(std::string_view head, std::string_view body, std::string_view then = {});
  bool read_pipelined(http_response& out);
  bool read_response(http_response& out, bool& keep_alive);
  bool read_head(http_response& out, bool& keep_alive);
  bool read_chunked(std::string& body);
  long recv_some(char* data, std::size_t size);
  bool fill();
  bool read_line(std::string_view& line);
  bool read_exact(std::size_t n, std::string& out);
  bool fail(std::string what);
  bool fail_errno(std::string_view what);

  std::string authority_;  // the endpoint as given, for the Host header
  std::string host_;
  std::string port_;
  sockaddr_storage addr_{};
  socklen_t addr_len_ = 0;  // 0 when host_ is a name to look up on each connect
  int fd_ = -1;
  // Bytes received but not consumed yet; pos_ is the first unconsumed byte.
  std::string buf_;
  std::size_t pos_ = 0;
  bool got_bytes_ = false;  // whether the current reply has produced any byte
  std::string pipelined_;   // target of a GET already sent whose reply is still to be read
  std::string error_;
};

}  // namespace lambdad_runtime::detail
