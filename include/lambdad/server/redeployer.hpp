#pragma once
/// @brief What the git deployer, hot reload and the Lambda API's writes share: handing the
/// registry's functions (the template's and the API's) to the scheduler. A template swap writes
/// the new template into the registry, then the scheduler gets the registry's merged set and the
/// gateway the new routes; an API write (registry::Registry::on_change) hands the scheduler the
/// merged set alone. Counts redeploys for /metrics
/// (`lambdad_redeploys_total{result="applied"|"refused"}`).
///
/// Thread safety: probe() runs on a deploy thread (one deploy at a time); everything else on the
/// io thread.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "lambdad/registry/registry.hpp"
#include "lambdad/scheduler/runtimes.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::server {

class Redeployer {
 public:
  /// `routes` swaps the gateway's routes (gateway::Front::reload).
  /// `template_code`: the fingerprints the template was first deployed with.
  Redeployer(scheduler::Scheduler& scheduler, scheduler::Runtimes& runtimes,
             registry::Registry& registry, std::function<void(const Template&)> routes,
             scheduler::CodeFingerprints template_code = {});

  /// On the deploy thread: finds the interpreters of runtime families that the template is the
  /// first to use.
  void probe(const Template& tmpl);
  /// On the registry thread: throws AwsError InvalidParameterValue when the function's runtime
  /// has no interpreter here (probing its family first if no template used it yet).
  void check_runtime(const FunctionConfig& function);

  /// What the scheduler is handed with the registry's functions: uploaded code (and code a
  /// template unzipped into the state dir) by its content-addressed folder's path; template
  /// folders by `template_code` (hot reload's), or by their path where the deployer
  /// fingerprints nothing (--git: each commit has its own checkout folder).
  static scheduler::CodeFingerprints fingerprints(const registry::Registry& registry,
                                                  const scheduler::CodeFingerprints& template_code);

  /// On the io thread, after an API write: the scheduler takes the registry's functions
  /// (unchanged ones keep their workers; a deleted one drains).
  scheduler::Scheduler::Redeployed registry_changed();

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
  registry::Registry& registry_;
  std::function<void(const Template&)> routes_;
  scheduler::CodeFingerprints template_code_;  ///< of the template's last swap
  std::mutex probe_mutex_;                     ///< probes run on the deploy and registry threads
  uint64_t applied_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace lambdad::server
