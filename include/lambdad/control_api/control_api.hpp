#pragma once
/// @brief The lambda port: the Lambda REST API (`2015-03-31` Invoke, ListFunctions, GetFunction…),
/// the CloudWatch Logs JSON API subset, `/healthz`, `/metrics` and `POST /_lambdad/deploy`.
///
/// Thread safety: handlers run on the io thread; log queries run on the API's own reader thread.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lambdad/auth/credentials.hpp"
#include "lambdad/http/server.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::async {
class AsyncInvoker;
}

namespace lambdad::registry {
class Registry;
}

namespace lambdad::control_api {

struct ApiState;

/// Who may call the lambda port (see docs/security.md, "Who may call the lambda port").
struct AccessOptions {
  /// Null or empty: no signature needed (the server then listens on loopback only). Else every
  /// request but /healthz and /metrics must carry a valid SigV4 signature by one of these keys.
  /// Shared with the scheduler's hook that issues each worker its own key (server.cpp).
  std::shared_ptr<auth::Credentials> credentials;
  /// Whether a worker's processes, and the keys issued to workers, may call management
  /// operations (every row of the table but the data plane's: Invoke). By default they get 403
  /// AccessDeniedException.
  bool allow_worker_control = false;
  /// Whether workers can be told apart here (kernel socket diagnostics and /proc, as the
  /// worker endpoints' guard); false where the start-up probe found them missing.
  bool worker_check = true;
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

class ControlApi {
 public:
  ControlApi(scheduler::Scheduler& scheduler, std::filesystem::path db_file);
  ~ControlApi();

  std::shared_ptr<const http::Handler> handler();

  /// The function registry the write operations (CreateFunction, UpdateFunctionCode, …) and the
  /// reads' RevisionId / State / code come from; without one the writes answer
  /// ServiceException.
  void set_registry(registry::Registry& registry);

  /// Where Event invokes go (durably) and what `lambdad events` reads; without it they answer
  /// ServiceException.
  void set_async(async::AsyncInvoker& async);

  /// Before handler(): the credentials and the worker rule (default: no credentials, workers
  /// refused management operations).
  void set_access(AccessOptions options);

  /// `POST /_lambdad/deploy` (servers started with --git): deploys the ref's newest commit and
  /// answers with what changed. Throws AwsError when the deploy fails; the old one keeps serving.
  using DeployHook = std::function<http::asio::awaitable<nlohmann::json>()>;
  void set_deploy_hook(DeployHook hook);

  /// More Prometheus lines for /metrics, from another module (called on the io thread).
  void add_metrics(std::function<std::string()> lines);
  /// A check /healthz runs (on the io thread): a reason the server is degraded, or nullopt.
  /// Any reason makes the body `{"status":"degraded","reason":…}` (the status stays 200: the
  /// server still serves).
  void add_health_check(std::function<std::optional<std::string>()> check);

 private:
  /// Finds the request's row in the table of operations (control_api.cpp) and runs its handler.
  http::asio::awaitable<http::Response> route(http::Request& request, const http::Peer& peer);

  std::unique_ptr<ApiState> state_;
};

}  // namespace lambdad::control_api
