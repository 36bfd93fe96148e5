#pragma once
/// @brief One lambdad server: the io_context and its thread, the store, the scheduler, and the
/// gateway and lambda listeners. `lambdad serve` runs one until a signal; `lambdad invoke` runs one
/// without listeners for a single call.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "lambdad/async/async_invoker.hpp"
#include "lambdad/auth/credentials.hpp"
#include "lambdad/common/function_config.hpp"
#include "lambdad/gateway/gateway.hpp"
#include "lambdad/sandbox/sandbox.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "lambdad/server/git_deployer.hpp"
#include "lambdad/server/hot_reload.hpp"

namespace lambdad::server {

struct ServerOptions {
  /// Both ports' address. A non-loopback one needs `credentials` (start() refuses it otherwise:
  /// it would open the lambda port's control plane to the network unauthenticated).
  std::string host = "127.0.0.1";
  /// `--credentials` / LAMBDAD_CREDENTIALS: when set, every lambda port request but /healthz and
  /// /metrics must be SigV4-signed by one of these keys.
  auth::Credentials credentials;
  /// `--allow-worker-control`: workers may call management operations on the lambda port.
  bool allow_worker_control = false;
  uint16_t api_port = 3000;
  uint16_t lambda_port = 3001;
  std::filesystem::path state_dir;  ///< created if missing
  bool listen = true;               ///< false: no gateway / lambda listeners (one-shot invoke)
  /// A cgroup per worker where the host allows it: MemorySize enforced, pids limit, CPU weight,
  /// Max Memory Used from its peak (false: no limits, /proc's peak RSS).
  bool cgroups = true;
  /// The workers' sandbox: tier (default: the strongest the host allows) and extra binds.
  sandbox::SandboxOptions sandbox;
  scheduler::SchedulerSettings scheduler;
  async::AsyncSettings async;       ///< Event invocations: bounds, retries
  gateway::GatewayOptions gateway;  ///< `--jwks`
  std::chrono::milliseconds shutdown_grace{30000};
  /// `--git`: the deployer that loaded the template; it keeps the server on the ref's newest
  /// commit.
  std::shared_ptr<GitDeployer> git;
  /// Hot reload (hot_reload.hpp): watch the template and its functions' folders and swap in
  /// what changes (serving a folder, unless --no-watch). The state dir and the sandbox's
  /// writable folders are never watched.
  bool watch = false;
  WatchOptions watch_options;
};

class Server {
 public:
  Server(Template tmpl, ServerOptions options);
  ~Server();

  /// Opens the store, deploys, binds the listeners and prints the two "listening on" lines.
  /// Throws std::runtime_error / std::system_error with a clear message.
  void start();
  /// Runs until SIGTERM/SIGINT, then drains and stops every worker. Returns the exit code.
  int run_until_signal();
  /// One invocation through the scheduler (no HTTP); then shuts down.
  scheduler::InvokeResult invoke_once(scheduler::InvokeRequest request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lambdad::server
