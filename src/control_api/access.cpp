// Who may call the lambda port: the SigV4 signature (when credentials are configured) and the
// rule that functions do not manage lambdad (the access column of control_api.cpp's table).

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "lambdad/auth/verifier.hpp"
#include "lambdad/control_api/logs_api.hpp"
#include "lambdad/sandbox/endpoint_guard.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

/// Whether one of lambdad's workers holds the connection's client socket: its processes are
/// lambdad's descendants, whatever the sandbox tier. Asked once per connection. A local client
/// whose socket the kernel no longer knows (it closed already) counts as a worker: a function
/// must not win by closing before the check runs.
bool from_worker(const http::Peer& peer) {
  if (peer.client_is_worker) return *peer.client_is_worker;
  std::string why;
  const auto inode = sandbox::client_socket_inode(peer.remote.data(), peer.local.data(), &why);
  if (inode) {
    peer.client_is_worker = sandbox::descendants_hold_socket(::getpid(), *inode);
  } else {
    peer.client_is_worker = sandbox::is_local_address(peer.remote.data());
    spdlog::debug("lambda port: no socket found for the client at {}:{} ({}): {}",
                  peer.remote.address().to_string(), peer.remote.port(), why,
                  *peer.client_is_worker ? "taken as a worker's" : "not this host's");
  }
  return *peer.client_is_worker;
}

}  // namespace

bool is_json11(const http::RequestHeader& header) {
  return header["X-Amz-Target"].starts_with(kLogsTargetPrefix);
}

void check_access(ApiState& api, http::Request& request, const http::Peer& peer, Access access) {
  if (access == Access::kOpen) return;
  bool worker_key = false;
  if (api.access.credentials && !api.access.credentials->empty()) {
    static const std::vector<std::string_view> kLambda = {"lambda"}, kLogs = {"logs"};
    worker_key = auth::verify(*api.access.credentials, request,
                              is_json11(request) ? kLogs : kLambda, api.access.clock())
                     .worker;
  }
  // A worker's own key signs the data plane only, wherever it is used from; a worker's
  // connection is refused management whatever key signs it.
  if (access == Access::kManage && !api.access.allow_worker_control &&
      (worker_key || (api.access.worker_check && from_worker(peer)))) {
    throw auth::AuthError(
        auth::Failure::kAccessDenied,
        "User: a function's worker is not authorized to perform: " +
            std::string(request.method_string()) + " " +
            std::string(request.target().substr(0, request.target().find('?'))) +
            " on this lambdad: functions may call only the data plane (Invoke); the server's "
            "operator allows more with 'serve --allow-worker-control'");
  }
}

}  // namespace lambdad::control_api
