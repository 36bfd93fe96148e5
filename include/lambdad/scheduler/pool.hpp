#pragma once
/// @brief The workers of one function version: idle ones in most-recently-used order, busy ones,
/// and the provisioned floor that is kept initialised.

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lambdad/common/function_config.hpp"
#include "lambdad/worker/invocation.hpp"
#include "lambdad/worker/worker.hpp"

namespace lambdad::scheduler {

class Scheduler;

class Pool final : public worker::WorkerOwner {
 public:
  /// `log_rate`: the function's, shared by every pool of it (null: logs not limited).
  Pool(Scheduler& scheduler, const FunctionConfig& config, std::string version, int provisioned,
       std::shared_ptr<worker::LogRate> log_rate = nullptr);
  ~Pool() override;

  /// Gives the invocation to the most recently used idle worker, or to a new one it waits for.
  std::shared_ptr<worker::Worker> run(std::shared_ptr<worker::Invocation> invocation);
  /// Stops idle workers unused for `idle_timeout`, never going below the provisioned floor.
  void reap(std::chrono::steady_clock::time_point now, std::chrono::seconds idle_timeout);
  /// Starts workers until the provisioned floor is met.
  void ensure_provisioned();
  /// Starts `count` workers ahead of demand (a redeploy keeps warm functions warm).
  void prewarm(size_t count);
  /// After a redeploy: idle workers stop now, busy ones when their invocation ends.
  void drain();
  void stop_all();

  size_t size() const { return workers_.size(); }
  size_t idle_count() const { return idle_.size(); }
  /// Workers whose runtime finished its init, idle or busy.
  size_t initialized_count() const;
  int provisioned() const { return provisioned_; }
  /// A new provisioned floor: workers start now to meet a higher one; beyond a lower one, idle
  /// workers are reaped as any other.
  void set_provisioned(int provisioned);
  const FunctionConfig& config() const { return config_; }
  const std::string& version() const { return version_; }

  void worker_idle(worker::Worker& worker) override;
  void worker_exited(worker::Worker& worker) override;

 private:
  std::shared_ptr<worker::Worker> spawn(std::shared_ptr<worker::Invocation> first,
                                        bool provisioned);

  Scheduler& scheduler_;
  const FunctionConfig config_;  ///< a copy: the function may be redeployed while this drains
  std::string version_;
  int provisioned_;
  std::shared_ptr<worker::LogRate> log_rate_;
  sandbox::SpawnSpec base_spec_;  ///< built once; each worker adds its endpoint and log stream
  std::vector<std::shared_ptr<worker::Worker>> idle_;  ///< most recently used at the back
  std::unordered_map<worker::Worker*, std::shared_ptr<worker::Worker>> workers_;
  std::chrono::steady_clock::time_point provision_backoff_until_{};
  bool draining_ = false;
};

}  // namespace lambdad::scheduler
