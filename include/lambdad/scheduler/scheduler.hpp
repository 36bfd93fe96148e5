#pragma once
/// @brief The scheduler: every function's pools of warm workers, the concurrency limits, and the
/// invoke path (find or start a worker, hand it the invocation, await the result or the deadline).
///
/// Thread safety: all of it runs on the io_context's single thread; callers `co_await invoke()`.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "lambdad/common/function_config.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/sandbox/cgroups.hpp"
#include "lambdad/sandbox/process.hpp"
#include "lambdad/scheduler/concurrency.hpp"
#include "lambdad/scheduler/function.hpp"
#include "lambdad/scheduler/runtimes.hpp"
#include "lambdad/worker/log_limits.hpp"
#include "lambdad/worker/outcome.hpp"

namespace lambdad::sandbox {
class Sandbox;
enum class Tier;
}  // namespace lambdad::sandbox

namespace lambdad::store {
class Store;
}

namespace lambdad::scheduler {

class Pool;

struct SchedulerSettings {
  int max_concurrency = 1000;
  std::chrono::seconds idle_timeout{600};
  std::chrono::milliseconds init_timeout{10000};
  std::string runtime_api_host = "127.0.0.1";
  /// Workers' endpoints refuse connections from processes that are not the worker's own.
  bool guard_runtime_api = false;
  worker::LogLimits log_limits;                     ///< each function's log rate and invocation cap
  const sandbox::WorkerCgroups* cgroups = nullptr;  ///< per-worker cgroups, if any
  const Runtimes* runtimes = nullptr;               ///< node / python3, probed at start
  const sandbox::Sandbox* sandbox = nullptr;        ///< the tier workers run at (null: none)
  /// Each worker's own credentials (worker.hpp's WorkerSettings::role_credentials), when set.
  std::function<std::shared_ptr<void>(std::vector<std::string>& env)> role_credentials;
  /// WorkerSettings::lambda_endpoint: filled in by the server once the lambda port listens.
  std::shared_ptr<const std::string> lambda_endpoint;
};

struct InvokeRequest {
  std::string function;   ///< name, ARN or partial ARN, optionally `:qualifier`
  std::string qualifier;  ///< from `?Qualifier=`
  std::string payload;
  std::string invocation_type = "RequestResponse";
  bool tail = false;
  std::string client_context;  ///< decoded JSON
  std::string request_id;
};

struct InvokeResult {
  std::string request_id;
  std::string payload;
  std::string function_error;  ///< "Unhandled" on a function error, else empty
  std::string executed_version;
  std::string log_tail;  ///< last 4 KB of the log, when asked for (not base64 yet)
  worker::Outcome outcome = worker::Outcome::kPending;
};

/// What the Lambda API tells about a function version (GetFunction, ListFunctions): a copy, so it
/// stays valid across a redeploy.
struct FunctionInfo {
  FunctionConfig config;
  std::string version;           ///< $LATEST or a number
  std::string code_fingerprint;  ///< "" when unknown
  std::string last_modified;     ///< the Lambda API's format
};

/// A snapshot of the scheduler for metrics and dashboards, taken on the io thread.
struct VersionStats {
  std::string version;     ///< $LATEST, "1", …
  size_t workers = 0;      ///< started and not exited: idle and busy ones
  size_t idle = 0;         ///< warm and waiting for an invocation
  size_t busy = 0;         ///< workers - idle: starting or running an invocation
  size_t provisioned = 0;  ///< the floor kept initialised
  /// Workers whose runtime finished its init (idle, or busy after it): what a provisioned
  /// concurrency config counts as allocated.
  size_t initialized = 0;
};
struct FunctionStats {
  std::string name;
  std::vector<VersionStats> versions;
  int in_flight = 0;                          ///< invocations holding a concurrency slot
  uint64_t log_bytes_dropped_rate = 0;        ///< by the function's log rate limit
  uint64_t log_bytes_dropped_invocation = 0;  ///< by the per-invocation log limit
};
struct Stats {
  std::vector<FunctionStats> functions;  ///< by name
  size_t draining_workers = 0;           ///< of pools a redeploy replaced
  sandbox::Tier sandbox_tier{};          ///< the tier workers run at (kNone without a sandbox)
};

class Scheduler {
 public:
  Scheduler(boost::asio::any_io_executor executor, sandbox::ProcessLauncher& launcher,
            store::Store* store, SchedulerSettings settings);
  ~Scheduler();

  /// Registers the functions and starts provisioned workers. `published`: the functions'
  /// versions and aliases beside what each one's `AutoPublishAlias` publishes (auto_published()).
  void deploy(const std::vector<FunctionConfig>& functions, const CodeFingerprints& code = {},
              const Publications& published = {});

  struct Redeployed {
    std::vector<std::string> added, replaced, kept, removed;  ///< function names
  };
  /// Swaps in a new set of functions without dropping an in-flight invocation. A function whose
  /// settings and code are unchanged (keeps_workers) keeps its pools and warm workers. Every pool
  /// of another function that stays is replaced by a new one that starts as many workers as the
  /// old one had (warm stays warm); old pools drain: idle workers stop now, busy ones when their
  /// invocation ends. Removed functions drain the same way. A published version keeps its pool
  /// while its snapshot and provisioned count hold (a version is immutable: it keeps it until
  /// it is deleted); `Redeployed` names functions by their $LATEST.
  Redeployed redeploy(const std::vector<FunctionConfig>& functions,
                      const CodeFingerprints& code = {}, const Publications& published = {});

  /// Runs one invocation to completion. Throws AwsError for throttles (429) and lookups.
  boost::asio::awaitable<InvokeResult> invoke(InvokeRequest request);
  /// Throws the AwsError invoke() would for a name and qualifier that resolve to no function
  /// version (ResourceNotFound, InvalidParameterValue, Validation). Returns the function's exact
  /// name and the qualifier the caller gave (in the name or apart; "" for none).
  FunctionName check_exists(std::string_view name, std::string_view qualifier);
  /// The longest an invocation of the function (by its exact name) may take before the scheduler
  /// ends it itself: its init bound plus its timeout. Nullopt for an unknown name.
  std::optional<std::chrono::milliseconds> longest_invocation(const std::string& name) const;

  /// The function version a name and qualifier resolve to, as invoke() resolves them (an alias:
  /// its primary version); throws AwsError likewise.
  FunctionInfo describe(std::string_view name, std::string_view qualifier);
  /// Every function's $LATEST, by name.
  std::vector<FunctionInfo> list() const;
  Stats stats() const;

  size_t worker_count() const;
  /// Workers of pools a redeploy replaced that have not exited yet.
  size_t draining_workers() const;
  boost::asio::any_io_executor executor() const { return executor_; }
  bool shutting_down() const { return shutting_down_; }

  /// Stops taking invocations, lets in-flight ones finish (each within its own timeout), then stops
  /// every worker and waits for them to exit.
  boost::asio::awaitable<void> shutdown(std::chrono::milliseconds grace);

  /// For tests: the pool serving a function version (null when there is none).
  const Pool* pool_for_test(const std::string& name, const std::string& version) const;

 private:
  friend class Pool;  // its workers' executor, launcher, store and settings
  sandbox::ProcessLauncher& launcher() { return launcher_; }
  store::Store* store() { return store_; }
  const SchedulerSettings& settings() const { return settings_; }

  /// Finds the function version; `route`: an alias's weights pick the version (an invocation),
  /// else its primary version. Throws AwsError (ResourceNotFound, InvalidParameterValue,
  /// Validation).
  Resolved resolve(std::string_view name, std::string_view qualifier, bool route = false);
  static FunctionInfo info(const Function& function, const std::string& version);
  boost::asio::awaitable<void> reap_loop();
  void add_function(const FunctionConfig& config, const std::string& code,
                    const FunctionVersions& versions);
  /// Gives `fn` a pool per version of `versions` (and $LATEST), taking over the pools in `old`
  /// that keep_workers() allows and starting as many workers as a replaced one had; drains the
  /// rest of `old`.
  void make_pools(Function& fn, std::map<std::string, std::unique_ptr<Pool>> old, bool keep_latest,
                  const std::map<std::string, PublishedVersion>& old_published);
  void drain(Function& fn);

  boost::asio::any_io_executor executor_;
  sandbox::ProcessLauncher& launcher_;
  store::Store* store_;
  SchedulerSettings settings_;
  std::shared_ptr<ConcurrencyLimits> limits_;  ///< shared with in-flight invocations' slots
  std::map<std::string, Function> functions_;
  std::unordered_map<std::string, std::string> logical_ids_;  ///< logical id → name
  std::vector<std::unique_ptr<Pool>> draining_;  ///< replaced pools, kept until their workers exit
  std::minstd_rand alias_draws_{std::random_device{}()};  ///< weighted aliases' draws
  boost::asio::steady_timer reap_timer_;
  bool shutting_down_ = false;
};

}  // namespace lambdad::scheduler
