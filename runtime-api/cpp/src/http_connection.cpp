#include "http_connection.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace lambdad_runtime::detail {
namespace {

// Far above anything the Runtime API sends; it only stops a broken peer from growing the buffer.
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
// Lambda payloads are at most 6 MB (200 MB streamed); anything near this is a framing error.
constexpr std::size_t kMaxBodyBytes = std::size_t{1} << 30;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::string_view kUserAgent = "lambdad-runtime-cpp/0.1";

char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == y; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value lists `token` (given in lowercase).
bool has_token(std::string_view list, std::string_view token) {
  for (;;) {
    auto comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

bool parse_size(std::string_view s, int base, std::size_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc{} && end == s.data() + s.size();
}

// connect(2) that survives EINTR: the attempt goes on in the background, so wait for it instead
// of calling connect again.
bool connect_fd(int fd, sockaddr const* addr, socklen_t len) {
  if (::connect(fd, addr, len) == 0) return true;
  if (errno != EINTR && errno != EINPROGRESS) return false;
  pollfd p{fd, POLLOUT, 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) return false;
  }
  int err = 0;
  socklen_t err_len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0) return false;
  errno = err;
  return err == 0;
}

}  // namespace

std::string const* http_response::header(std::string_view lower_name) const {
  for (auto const& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

connection::connection(std::string_view endpoint) : authority_(endpoint) {
  std::string_view host;
  std::string_view port;
  if (!endpoint.empty() && endpoint.front() == '[') {
    auto close = endpoint.find(']');
    if (close != std::string_view::npos && endpoint.substr(close + 1, 1) == ":") {
      host = endpoint.substr(1, close - 1);
      port = endpoint.substr(close + 2);
    }
  } else if (auto colon = endpoint.rfind(':'); colon != std::string_view::npos) {
    host = endpoint.substr(0, colon);
    port = endpoint.substr(colon + 1);
  }
  std::size_t port_number = 0;
  if (host.empty() || !parse_size(port, 10, port_number) || port_number == 0 ||
      port_number > 65535) {
    throw std::invalid_argument("expected host:port, got \"" + std::string(endpoint) + "\"");
  }
  host_ = host;
  port_ = port;

  // lambdad always sets a numeric address; parsing it here keeps getaddrinfo (and the NSS
  // modules it may load) off the cold-start path.
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr_);
  if (::inet_pton(AF_INET, host_.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port_number));
    addr_len_ = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host_.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port_number));
    addr_len_ = sizeof(sockaddr_in6);
  }
}

connection::~connection() {
  close();
}

bool connection::fail(std::string what) {
  error_ = std::move(what);
  return false;
}

bool connection::fail_errno(std::string_view what) {
  return fail(std::string(what) + ": " + std::strerror(errno));
}

bool connection::open() {
  std::vector<std::pair<sockaddr_storage, socklen_t>> candidates;
  if (addr_len_ != 0) {
    candidates.emplace_back(addr_, addr_len_);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &list); rc != 0) {
      return fail("cannot resolve " + host_ + ": " + ::gai_strerror(rc));
    }
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      sockaddr_storage ss{};
      std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
      candidates.emplace_back(ss, ai->ai_addrlen);
    }
    ::freeaddrinfo(list);
  }
  for (auto const& [ss, len] : candidates) {
    auto const* sa = reinterpret_cast<sockaddr const*>(&ss);
    // CLOEXEC: processes the handler starts must not hold (or write to) the API connection.
    int fd = ::socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect_fd(fd, sa, len)) {
      // The head and body go out in one sendmsg, but a short write must not wait for an ACK.
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      return true;
    }
    int saved = errno;
    ::close(fd);
    errno = saved;
  }
  return fail_errno("cannot connect to " + authority_);
}

void connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
  pos_ = 0;
}

bool connection::peer_closed() const {
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  // Unasked-for bytes (n > 0) mean the stream is out of step: as good as closed.
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
}

std::string connection::head_of(std::string_view method, std::string_view target,
                                std::string_view extra_headers, bool with_length,
                                std::size_t length) const {
  std::string head;
  head.reserve(160 + target.size() + extra_headers.size());
  head.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(authority_);
  head.append("\r\nUser-Agent: ").append(kUserAgent).append("\r\n").append(extra_headers);
  if (with_length) head.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
  head.append("\r\n");
  return head;
}

bool connection::read_pipelined(http_response& out) {
  got_bytes_ = false;
  bool keep_alive = false;
  if (read_response(out, keep_alive)) {
    if (!keep_alive || pos_ != buf_.size()) close();
    return true;
  }
  close();
  return false;
}

bool connection::request(std::string_view method, std::string_view target,
                         std::string_view extra_headers, std::string_view body, http_response& out,
                         std::string_view then_get) {
  if (!pipelined_.empty()) {
    const bool answered_already = method == "GET" && target == pipelined_ && fd_ >= 0;
    pipelined_.clear();
    if (answered_already) {
      if (read_pipelined(out)) return true;
      // A connection that went away before the reply began: ask again on a new one.
      if (got_bytes_) return false;
    } else {
      close();  // its reply would arrive before this one's
    }
  }
  const std::string head =
      head_of(method, target, extra_headers, !body.empty() || method == "POST", body.size());
  const std::string then =
      then_get.empty() ? std::string() : head_of("GET", then_get, {}, false, 0);

  for (int attempt = 0;; ++attempt) {
    bool reused = fd_ >= 0;
    if (reused && peer_closed()) {
      close();
      reused = false;
    }
    if (fd_ < 0 && !open()) return false;
    got_bytes_ = false;
    bool keep_alive = false;
    if (send_request(head, body, then) && read_response(out, keep_alive)) {
      if (!keep_alive) {
        close();
      } else if (!then.empty()) {
        pipelined_ = then_get;  // bytes after this reply belong to the GET's
      } else if (pos_ != buf_.size()) {
        close();
      }
      return true;
    }
    close();
    // The server may close an idle keep-alive connection at any moment, and our request can
    // cross its FIN. Only a failure before any reply byte is safe to send again, and only once.
    if (!reused || got_bytes_ || attempt > 0) return false;
  }
}

bool connection::send_request(std::string_view head, std::string_view body, std::string_view then) {
  iovec iov[3];
  std::size_t count = 0;
  for (std::string_view part : {head, body, then}) {
    if (!part.empty()) iov[count++] = {const_cast<char*>(part.data()), part.size()};
  }
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  while (msg.msg_iovlen > 0) {
    // MSG_NOSIGNAL: a closed peer must be an error to retry, not a SIGPIPE that kills the worker.
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("send");
    }
    auto left = static_cast<std::size_t>(n);
    while (msg.msg_iovlen > 0 && left >= msg.msg_iov->iov_len) {
      left -= msg.msg_iov->iov_len;
      ++msg.msg_iov;
      --msg.msg_iovlen;
    }
    if (msg.msg_iovlen > 0) {
      msg.msg_iov->iov_base = static_cast<char*>(msg.msg_iov->iov_base) + left;
      msg.msg_iov->iov_len -= left;
    }
  }
  return true;
}

long connection::recv_some(char* data, std::size_t size) {
  ssize_t n;
  do {
    n = ::recv(fd_, data, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n > 0) got_bytes_ = true;
  return n;
}

bool connection::fill() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  auto old = buf_.size();
  buf_.resize(old + kReadChunk);
  long n = recv_some(buf_.data() + old, kReadChunk);
  buf_.resize(old + static_cast<std::size_t>(std::max(n, 0L)));
  if (n < 0) return fail_errno("recv");
  if (n == 0) return fail("connection closed by the server");
  return true;
}

bool connection::read_line(std::string_view& line) {
  std::size_t scanned = 0;  // relative to pos_, which fill() may move
  for (;;) {
    auto end = buf_.find("\r\n", pos_ + scanned);
    if (end != std::string::npos) {
      line = std::string_view(buf_).substr(pos_, end - pos_);
      pos_ = end + 2;
      return true;
    }
    auto pending = buf_.size() - pos_;
    if (pending > kMaxHeadBytes) return fail("reply line too long");
    scanned = pending == 0 ? 0 : pending - 1;
    if (!fill()) return false;
  }
}

bool connection::read_exact(std::size_t n, std::string& out) {
  auto from_buf = std::min(n, buf_.size() - pos_);
  out.append(buf_, pos_, from_buf);
  pos_ += from_buf;
  auto have = out.size();
  auto want = have + (n - from_buf);
  // Large bodies go straight from the socket into `out`, with no copy through buf_.
  out.resize(want);
  while (have < want) {
    long got = recv_some(out.data() + have, want - have);
    if (got <= 0) {
      out.resize(have);
      return got < 0 ? fail_errno("recv") : fail("connection closed in the middle of a body");
    }
    have += static_cast<std::size_t>(got);
  }
  return true;
}

bool connection::read_head(http_response& out, bool& keep_alive) {
  for (;;) {
    std::string_view line;
    if (!read_line(line)) return false;
    int status = 0;
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ' ||
        std::from_chars(line.data() + 9, line.data() + 12, status).ptr != line.data() + 12) {
      return fail("malformed status line");
    }
    bool http10 = line[7] == '0';
    out.status = status;
    out.headers.clear();
    std::size_t head_bytes = line.size();
    for (;;) {
      if (!read_line(line)) return false;
      if (line.empty()) break;
      head_bytes += line.size();
      auto colon = line.find(':');
      if (head_bytes > kMaxHeadBytes || colon == 0 || colon == std::string_view::npos) {
        return fail("malformed reply header");
      }
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), to_lower);
      out.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
    }
    // Interim replies (100 Continue and the like) carry no body; the real one follows.
    if (status >= 100 && status < 200) continue;
    auto const* conn = out.header("connection");
    keep_alive =
        http10 ? conn && has_token(*conn, "keep-alive") : !(conn && has_token(*conn, "close"));
    return true;
  }
}

bool connection::read_response(http_response& out, bool& keep_alive) {
  out.body.clear();
  if (!read_head(out, keep_alive)) return false;
  if (out.status == 204 || out.status == 304) return true;
  if (auto const* te = out.header("transfer-encoding"); te && has_token(*te, "chunked")) {
    return read_chunked(out.body);
  }
  if (auto const* cl = out.header("content-length")) {
    std::size_t n = 0;
    if (!parse_size(*cl, 10, n) || n > kMaxBodyBytes) return fail("bad Content-Length: " + *cl);
    return read_exact(n, out.body);
  }
  // Neither length nor chunks: the body runs to the end of the connection.
  keep_alive = false;
  out.body.assign(buf_, pos_);
  pos_ = buf_.size();
  char chunk[kReadChunk];
  for (;;) {
    long got = recv_some(chunk, sizeof chunk);
    if (got == 0) return true;
    if (got < 0) return fail_errno("recv");
    if (out.body.size() + static_cast<std::size_t>(got) > kMaxBodyBytes) {
      return fail("reply body too large");
    }
    out.body.append(chunk, static_cast<std::size_t>(got));
  }
}

bool connection::read_chunked(std::string& body) {
  std::string_view line;
  for (;;) {
    if (!read_line(line)) return false;
    std::size_t n = 0;
    if (!parse_size(trim(line.substr(0, line.find(';'))), 16, n) ||
        n > kMaxBodyBytes - body.size()) {
      return fail("bad chunk size");
    }
    if (n == 0) break;
    if (!read_exact(n, body)) return false;
    if (!read_line(line)) return false;
    if (!line.empty()) return fail("chunk not followed by CRLF");
  }
  // The trailer section holds nothing the Runtime API uses; it ends with an empty line.
  do {
    if (!read_line(line)) return false;
  } while (!line.empty());
  return true;
}

}  // namespace lambdad_runtime::detail
