#pragma once
/// @brief What the git deployer and hot reload share: swapping a newly loaded template into the
/// running server (the scheduler's functions, then the gateway's routes) and counting redeploys
/// for /metrics (`lambdad_redeploys_total{result="applied"|"refused"}`).
///
/// Thread safety: probe() runs on a deploy thread (one deploy at a time); everything else on the
/// io thread.

#include <cstdint>
#include <functional>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "lambdad/scheduler/runtimes.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::server {

class Redeployer {
 public:
  /// `routes` swaps the gateway's routes (gateway::Front::reload).
  Redeployer(scheduler::Scheduler& scheduler, scheduler::Runtimes& runtimes,
             std::function<void(const Template&)> routes);

  /// On the deploy thread: finds the interpreters of runtime families that the template is the
  /// first to use.
  void probe(const Template& tmpl);

  /// On the io thread: checks the template's runtimes (throws AwsError InvalidParameterValue
  /// when one is absent, and nothing changes), then swaps the scheduler's functions and the
  /// gateway's routes. Requests in flight finish on what they started with.
  scheduler::Scheduler::Redeployed swap(const Template& tmpl,
                                        const scheduler::CodeFingerprints& code = {});
  /// On the io thread: counts a template that was refused before swap() (it did not load).
  void refused() { ++refused_; }

  /// "1 added, 2 replaced, 3 unchanged (kept warm), 0 removed".
  static std::string summary(const scheduler::Scheduler::Redeployed& swapped);
  /// The Prometheus lines of the counters.
  std::string metrics() const;

  scheduler::Scheduler& scheduler() { return scheduler_; }

 private:
  scheduler::Scheduler& scheduler_;
  scheduler::Runtimes& runtimes_;
  std::function<void(const Template&)> routes_;
  uint64_t applied_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace lambdad::server
