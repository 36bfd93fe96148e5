#include "lambdad/sandbox/endpoint_guard.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <deque>
#include <string_view>
#include <vector>

namespace lambdad::sandbox {
namespace {

// A process may fork; the walk stops here rather than let a fork bomb make each accept slow.
// (A worker's pids cgroup limit is 1024.)
constexpr size_t kMaxProcesses = 4096;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void set_error(std::string* why, std::string text) {
  if (why) *why = std::move(text);
}

// Fills an inet_diag_sockid for the socket whose own end is `self` and whose peer is `peer`.
bool fill_id(inet_diag_sockid& id, const sockaddr* self, const sockaddr* peer) {
  if (self->sa_family == AF_INET && peer->sa_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(self);
    const auto* p = reinterpret_cast<const sockaddr_in*>(peer);
    id.idiag_sport = s->sin_port;
    id.idiag_dport = p->sin_port;
    std::memcpy(id.idiag_src, &s->sin_addr, sizeof(s->sin_addr));
    std::memcpy(id.idiag_dst, &p->sin_addr, sizeof(p->sin_addr));
    return true;
  }
  if (self->sa_family == AF_INET6 && peer->sa_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(self);
    const auto* p = reinterpret_cast<const sockaddr_in6*>(peer);
    id.idiag_sport = s->sin6_port;
    id.idiag_dport = p->sin6_port;
    std::memcpy(id.idiag_src, &s->sin6_addr, sizeof(s->sin6_addr));
    std::memcpy(id.idiag_dst, &p->sin6_addr, sizeof(p->sin6_addr));
    return true;
  }
  return false;
}

// Whether the fd table of `pid` holds the socket named `link` ("socket:[<inode>]").
bool holds(pid_t pid, std::string_view link) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.fd < 0) return false;
  DIR* d = ::fdopendir(dfd.fd);
  if (!d) return false;
  dfd.fd = -1;  // closedir closes it
  bool found = false;
  char target[64];
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const ssize_t n = ::readlinkat(::dirfd(d), e->d_name, target, sizeof(target));
    if (n > 0 && std::string_view(target, static_cast<size_t>(n)) == link) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

// Appends the children of every thread of `pid` (/proc/<pid>/task/<tid>/children).
void append_children(pid_t pid, std::deque<pid_t>& out) {
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(task_dir.c_str());
  if (!d) return;
  std::string text;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    Fd f(
        ::openat(::dirfd(d), (std::string(e->d_name) + "/children").c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd < 0) continue;
    text.clear();
    char buffer[512];
    ssize_t n;
    while ((n = ::read(f.fd, buffer, sizeof(buffer))) > 0) text.append(buffer, size_t(n));
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
      pid_t child = 0;
      auto [next, ec] = std::from_chars(p, end, child);
      if (ec == std::errc()) out.push_back(child);
      p = next + 1;
    }
  }
  ::closedir(d);
}

}  // namespace

std::optional<ino_t> client_socket_inode(const sockaddr* client, const sockaddr* server,
                                         std::string* why) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;  // one socket by its exact id, not a dump
  message.request.sdiag_family = static_cast<uint8_t>(client->sa_family);
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = ~0u;
  // The socket looked up is the client's: its own end is `client`, its peer `server`.
  if (!fill_id(message.request.id, client, server)) {
    set_error(why, "not a TCP/IP connection");
    return std::nullopt;
  }
  message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  Fd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (nl.fd < 0) {
    set_error(why, std::string("netlink socket: ") + std::strerror(errno));
    return std::nullopt;
  }
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(nl.fd, &message, sizeof(message), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel)) < 0) {
    set_error(why, std::string("sock_diag request: ") + std::strerror(errno));
    return std::nullopt;
  }
  // The kernel answers a non-dump request while handling the send, so the answer is queued.
  alignas(nlmsghdr) char buffer[1024];
  const ssize_t n = ::recv(nl.fd, buffer, sizeof(buffer), MSG_DONTWAIT);
  if (n < static_cast<ssize_t>(sizeof(nlmsghdr))) {
    set_error(why, std::string("sock_diag answer: ") + (n < 0 ? std::strerror(errno) : "short"));
    return std::nullopt;
  }
  const auto* header = reinterpret_cast<const nlmsghdr*>(buffer);
  if (header->nlmsg_type == NLMSG_ERROR) {
    const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
    set_error(why, std::string("sock_diag: ") + std::strerror(-error->error));
    return std::nullopt;
  }
  if (header->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
      header->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg)) ||
      static_cast<size_t>(n) < NLMSG_LENGTH(sizeof(inet_diag_msg))) {
    set_error(why, "sock_diag: unexpected answer");
    return std::nullopt;
  }
  const auto* found = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
  // A socket in TIME_WAIT has no inode: the client is gone.
  if (found->idiag_inode == 0 || found->id.idiag_sport != message.request.id.idiag_sport ||
      found->id.idiag_dport != message.request.id.idiag_dport) {
    set_error(why, "the client's socket is closed");
    return std::nullopt;
  }
  return static_cast<ino_t>(found->idiag_inode);
}

namespace {

/// `at_cap`: the answer when the walk stops at kMaxProcesses with processes left to look at.
bool walk_holds_socket(pid_t root, ino_t inode, bool check_root, bool at_cap) {
  const std::string link = "socket:[" + std::to_string(inode) + "]";
  std::deque<pid_t> pending{root};
  for (size_t visited = 0; !pending.empty(); ++visited) {
    if (visited == kMaxProcesses) return at_cap;
    const pid_t pid = pending.front();
    pending.pop_front();
    if ((check_root || pid != root) && holds(pid, link)) return true;
    append_children(pid, pending);
  }
  return false;
}

}  // namespace

bool tree_holds_socket(pid_t root, ino_t inode) {
  return walk_holds_socket(root, inode, true, false);  // refused: the careful answer here
}

bool descendants_hold_socket(pid_t root, ino_t inode) {
  // Taken as held (a worker's): a function must not hide among more processes than are looked at.
  return walk_holds_socket(root, inode, false, true);
}

bool is_local_address(const sockaddr* address) {
  socklen_t length = 0;
  if (address->sa_family == AF_INET) {
    length = sizeof(sockaddr_in);
  } else if (address->sa_family == AF_INET6) {
    length = sizeof(sockaddr_in6);
  } else {
    return false;
  }
  sockaddr_storage copy{};
  std::memcpy(&copy, address, length);
  // Port 0: any free port; only the address decides whether the bind works.
  if (copy.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&copy)->sin_port = 0;
  if (copy.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&copy)->sin6_port = 0;
  Fd probe(::socket(copy.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (probe.fd < 0) return true;  // cannot tell: take it as local (the careful answer)
  return ::bind(probe.fd, reinterpret_cast<sockaddr*>(&copy), length) == 0;
}

std::string probe_endpoint_guard() {
  Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (listener.fd < 0 || client.fd < 0) return std::string("socket: ") + std::strerror(errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listener.fd, 1) != 0 ||
      ::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::connect(client.fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return std::string("a loopback connection: ") + std::strerror(errno);
  }
  Fd accepted(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
  sockaddr_storage peer{}, self{};
  socklen_t peer_length = sizeof(peer), self_length = sizeof(self);
  if (accepted.fd < 0 ||
      ::getpeername(accepted.fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0 ||
      ::getsockname(accepted.fd, reinterpret_cast<sockaddr*>(&self), &self_length) != 0) {
    return std::string("accept: ") + std::strerror(errno);
  }
  std::string why;
  const auto inode = client_socket_inode(reinterpret_cast<sockaddr*>(&peer),
                                         reinterpret_cast<sockaddr*>(&self), &why);
  if (!inode) return why;
  struct stat st {};
  if (::fstat(client.fd, &st) != 0 || st.st_ino != *inode) {
    return "sock_diag named another socket than the client's";
  }
  if (!tree_holds_socket(::getpid(), *inode)) return "/proc/<pid>/fd does not show sockets";
  return "";
}

}  // namespace lambdad::sandbox
