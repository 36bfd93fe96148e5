#pragma once
/// @brief Who may speak to a worker's Runtime API endpoint: only the worker's own processes.
///
/// On the host's network every worker's endpoint is a loopback TCP port that any local process
/// can find (`/proc/net/tcp`) and connect to; a function that did so could call another worker's
/// `/next` and take its events. TCP carries no peer credentials, so the endpoint asks the kernel:
/// its socket diagnostics (NETLINK_SOCK_DIAG) name the inode of the socket at the client's end of
/// an accepted connection, and the connection is the worker's only when a process of the worker's
/// tree holds that socket open (`/proc/<pid>/fd`). This works at every tier and as any user, and
/// costs one netlink round trip and a walk of the worker's fd tables per accepted connection (a
/// runtime keeps one connection open for its whole life).

#include <sys/socket.h>
#include <sys/types.h>

#include <optional>
#include <string>

namespace lambdad::sandbox {

/// The inode of the socket at the other end of an established loopback TCP connection, given the
/// connection as the accepting side sees it (`client` = its peer address, `server` = its own).
/// nullopt when the kernel does not know the connection (the client already closed it) or does
/// not answer; `why` (optional) says which.
std::optional<ino_t> client_socket_inode(const sockaddr* client, const sockaddr* server,
                                         std::string* why = nullptr);

/// Whether `root` or one of its descendants holds the socket `inode` open.
bool tree_holds_socket(pid_t root, ino_t inode);
/// Whether a descendant of `root` (not `root` itself) holds the socket `inode` open: the lambda
/// port asks it of lambdad's own pid, whose descendants are its workers. Past 4,096 processes
/// the walk stops and answers true (the careful answer for that question).
bool descendants_hold_socket(pid_t root, ino_t inode);

/// Whether `address` is one of this host's own (a bind to it succeeds): a client there whose
/// socket the kernel no longer knows may have been anything local, a worker included.
bool is_local_address(const sockaddr* address);

/// Tries the check on a loopback connection of this process: "" when it works here, else why
/// not (a kernel without socket diagnostics for TCP, a /proc that hides fds).
std::string probe_endpoint_guard();

}  // namespace lambdad::sandbox
