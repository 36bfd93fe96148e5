#pragma once
/// @brief A function as the scheduler keeps it: its configuration and the pools of its versions.
/// The scheduler's own record; other modules see functions through Scheduler's describe(), list()
/// and stats(), never its pools.

#include <map>
#include <memory>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "lambdad/common/function_versions.hpp"
#include "lambdad/worker/log_limits.hpp"

namespace lambdad::scheduler {

class Pool;

/// Function name → fingerprint of its code and layer folders (deploy/code_fingerprint.hpp).
using CodeFingerprints = std::map<std::string, std::string>;

/// A function as the scheduler knows it, with its published versions and aliases.
struct Function {
  FunctionConfig config;         ///< $LATEST's
  std::string code_fingerprint;  ///< $LATEST's; "" when unknown (a redeploy replaces it)
  std::map<std::string, std::unique_ptr<Pool>> versions;  ///< $LATEST, "1", …
  std::map<std::string, PublishedVersion> published;      ///< "1", …: each pool's snapshot
  std::map<std::string, AliasRouting> aliases;
  std::string last_modified;
  /// The log rate its workers share, of every version and across redeploys, so a redeploy does
  /// not refill it (null: logs not limited).
  std::shared_ptr<worker::LogRate> log_rate;
  /// Calls answered without a worker because the code is not built yet (samples the warning).
  uint64_t calls_without_code = 0;
};

/// What a name and qualifier resolve to.
struct Resolved {
  Function* function = nullptr;
  Pool* pool = nullptr;
  std::string version;      ///< the version that runs (an alias's weights drawn)
  std::string invoked_arn;  ///< the ARN as the caller used it (qualifier included)
};

/// Whether a redeployed function keeps its pools and warm workers: the same settings as far as
/// its workers can tell (its events, which only the gateway reads, template lines and reserved
/// concurrency, which only the scheduler's limits read, aside) and the same code, by a known
/// fingerprint.
bool keeps_workers(const Function& before, const FunctionConfig& after,
                   const std::string& code_after);
/// The same for one published version's pool.
bool keeps_workers(const PublishedVersion& before, const PublishedVersion& after);

}  // namespace lambdad::scheduler
