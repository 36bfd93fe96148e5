#pragma once
/// @brief One worker: a process running a function's runtime, its Runtime API endpoint, its log
/// pipes, and the state machine of the invocations given to it (one at a time).
///
/// Thread safety: every member runs on the io_context's single thread.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "lambdad/runtime_api/endpoint.hpp"
#include "lambdad/sandbox/cgroups.hpp"
#include "lambdad/sandbox/process.hpp"
#include "lambdad/worker/invocation.hpp"
#include "lambdad/worker/log_limits.hpp"
#include "lambdad/worker/log_pipe.hpp"
#include "lambdad/worker/memory.hpp"

namespace lambdad::store {
class Store;
}

namespace lambdad::worker {

class Worker;

/// The pool a worker belongs to; told when the worker can take an invocation and when it is gone.
class WorkerOwner {
 public:
  virtual ~WorkerOwner() = default;
  virtual void worker_idle(Worker& worker) = 0;
  virtual void worker_exited(Worker& worker) = 0;
};

struct WorkerSettings {
  std::string function;
  std::string version;  ///< $LATEST or a number
  int memory_mb = 128;
  std::string listen_host = "127.0.0.1";
  /// Only the worker's own processes may connect to its endpoint (endpoint_guard.hpp); off where
  /// the host cannot tell (the start-up probe says so).
  bool guard_endpoint = false;
  const sandbox::WorkerCgroups* cgroups = nullptr;  ///< limits and Max Memory Used, when available
  /// The function's log rate, shared by its workers (null: its logs are not limited).
  std::shared_ptr<LogRate> log_rate;
  /// Gives the worker its own role credentials: sets them in the worker's environment and
  /// returns what keeps them valid (released when the worker's process exits, or with the
  /// worker). Unset: the worker inherits the server's AWS_* variables, if any.
  std::function<std::shared_ptr<void>(std::vector<std::string>& env)> role_credentials;
  /// The lambda port's URL (`http://127.0.0.1:3001`), set once it listens: workers get it as
  /// AWS_ENDPOINT_URL_LAMBDA, so the AWS SDKs in a function call this lambdad. Null or empty:
  /// not set (no lambda port: `lambdad invoke`).
  std::shared_ptr<const std::string> lambda_endpoint;
};

class Worker final : public runtime_api::RuntimeTarget,
                     public std::enable_shared_from_this<Worker> {
 public:
  enum class State { kStarting, kIdle, kBusy, kDead };

  Worker(boost::asio::any_io_executor executor, WorkerOwner& owner,
         sandbox::ProcessLauncher& launcher, store::Store* store, WorkerSettings settings);
  ~Worker() override;

  /// Opens the Runtime API endpoint and starts the process. `first` (optional) is the invocation
  /// that will wait for this worker's init. Never throws: a failure completes `first` with the
  /// matching error and the worker reports itself exited.
  void start(sandbox::SpawnSpec spec, std::shared_ptr<Invocation> first);
  /// Gives an idle worker its next invocation.
  void assign(std::shared_ptr<Invocation> invocation);
  /// The invocation's deadline passed: kill the worker, answer Sandbox.Timedout.
  void deadline_passed(Invocation& invocation);
  /// Stops the process (SIGTERM, SIGKILL after a grace period).
  void stop();

  State state() const { return state_; }
  /// Whether the runtime finished its init (asked for its first invocation) and is still alive:
  /// what provisioned concurrency counts as allocated.
  bool initialized() const { return init_duration_ms_.has_value() && state_ != State::kDead; }
  const std::string& id() const { return id_; }
  const std::string& log_stream() const { return log_stream_; }
  std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }

  // runtime_api::RuntimeTarget
  boost::asio::awaitable<http::Response> next(const http::Request& request) override;
  http::Response response(std::string_view request_id, http::Request& request) override;
  http::Response error(std::string_view request_id, http::Request& request) override;
  http::Response init_error(http::Request& request) override;
  http::Response response_too_large(std::string_view request_id,
                                    const http::RequestHeader& header) override;
  bool admits(const http::Peer& peer) override;

 private:
  /// AWS_ENDPOINT_URL_LAMBDA (WorkerSettings::lambda_endpoint) in the worker's environment.
  void add_service_endpoints(sandbox::SpawnSpec& spec) const;
  /// Checks a posted request id; returns an error response when it is not the current one.
  std::optional<http::Response> check_request_id(std::string_view id,
                                                 const http::RequestHeader& header) const;
  void mark_initialized();
  http::Response deliver(const http::Request& request);
  void complete(Outcome outcome, std::string response, std::string error_type);
  /// Ends the current invocation with an outcome lambdad names (its errorType from outcome.hpp).
  void fail_current(Outcome outcome, const std::string& message);
  static boost::asio::awaitable<void> watch_exit(std::shared_ptr<Worker> self);
  static boost::asio::awaitable<void> serve_endpoint(std::shared_ptr<Worker> self,
                                                     std::shared_ptr<const http::Handler> handler);
  static boost::asio::awaitable<void> read_pipe(std::shared_ptr<Worker> self, LogPipe* pipe);
  void on_exit(int code, int status);
  void log(std::string_view line);
  void log_platform(std::string line);
  /// Writes the LOGS_DROPPED line for what the log limits dropped since the last one: for
  /// `invocation` (its request id and tail), or outside any when null.
  void log_dropped(Invocation* invocation);
  int max_memory_used_mb(double duration_ms);
  bool proc_peak_due(uint64_t cgroup_peak, double duration_ms) const;

  boost::asio::any_io_executor executor_;
  WorkerOwner& owner_;
  sandbox::ProcessLauncher& launcher_;
  store::Store* store_;
  WorkerSettings settings_;
  std::string id_;
  std::string log_stream_;
  std::string executable_;
  int last_peak_mb_ = 0;
  std::chrono::steady_clock::time_point proc_read_at_{};
  uint64_t cgroup_peak_at_proc_read_ = 0;
  std::unique_ptr<PeakMemory> peak_memory_;
  std::unique_ptr<sandbox::WorkerCgroup> cgroup_;
  std::shared_ptr<void> role_credentials_;  ///< valid while the process lives
  State state_ = State::kStarting;

  boost::asio::ip::tcp::acceptor acceptor_;
  sandbox::SpawnedProcess process_;
  LogBudget log_budget_;
  std::unique_ptr<LogPipe> stdout_;
  std::unique_ptr<LogPipe> stderr_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd_;
  std::unique_ptr<boost::asio::steady_timer> kill_timer_;

  std::chrono::steady_clock::time_point spawned_at_;
  std::chrono::steady_clock::time_point idle_since_;
  std::optional<double> init_duration_ms_;
  std::optional<std::pair<std::string, std::string>> init_error_;  ///< type, body

  std::shared_ptr<Invocation> current_;
  boost::asio::steady_timer parked_next_;  ///< wakes the runtime's waiting /next
  uint64_t next_generation_ = 0;
  uint64_t refused_connections_ = 0;
  bool exited_ = false;
};

}  // namespace lambdad::worker
