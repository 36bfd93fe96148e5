#pragma once
/// @brief The server side of the Lambda Runtime API 2018-06-01: routing, request-id and size
/// checks, and AWS's error shapes. Each worker has its own endpoint (its own listening socket), so
/// a connection can only ever speak for the worker it was made for.

#include <memory>
#include <string_view>

#include "lambdad/http/server.hpp"

namespace lambdad::runtime_api {

/// Largest body a runtime may post as a response (6 MiB + 100 bytes, as AWS quotes it).
inline constexpr uint64_t kMaxResponseBytes = 6291556;

/// Connections one worker's endpoint serves at once. A runtime needs one or two (a parked /next
/// and, with some clients, a second for /response); more are refused at once with 503
/// TooManyConnections, so that a function cannot spend the server's file descriptors on its own
/// endpoint. Never idle-evicted: the runtime's own connection was there first.
inline constexpr size_t kMaxConnections = 8;

/// What the endpoint drives: the worker's state machine. Called on the worker's executor.
class RuntimeTarget {
 public:
  virtual ~RuntimeTarget() = default;
  virtual http::asio::awaitable<http::Response> next(const http::Request& request) = 0;
  virtual http::Response response(std::string_view request_id, http::Request& request) = 0;
  virtual http::Response error(std::string_view request_id, http::Request& request) = 0;
  virtual http::Response init_error(http::Request& request) = 0;
  /// The runtime posted a response larger than kMaxResponseBytes; its body is not read.
  virtual http::Response response_too_large(std::string_view request_id,
                                            const http::RequestHeader& header) = 0;
  /// Whether the process at the other end of a new connection may speak for this target.
  virtual bool admits(const http::Peer& peer) = 0;
};

std::shared_ptr<const http::Handler> make_handler(std::weak_ptr<RuntimeTarget> target);

}  // namespace lambdad::runtime_api
