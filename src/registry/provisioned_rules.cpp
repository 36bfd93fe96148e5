// The rules of provisioned concurrency configs (provisioned.hpp): spread, limits and status.

#include <algorithm>
#include <cmath>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/registry/concurrency.hpp"
#include "lambdad/registry/provisioned.hpp"

namespace lambdad::registry {

std::map<std::string, int> spread(int requested, const std::string& version,
                                  const std::string& additional_version, double additional_weight) {
  std::map<std::string, int> shares;
  if (additional_version.empty()) {
    shares[version] = requested;
    return shares;
  }
  const double weight = std::clamp(additional_weight, 0.0, 1.0);
  const int additional = static_cast<int>(std::lround(requested * weight));
  shares[additional_version] = additional;
  shares[version] = requested - additional;
  return shares;
}

void check_provisioned(int limit, long long unreserved, std::optional<int> reserved,
                       long long function_total, long long unreserved_total) {
  if (reserved) {
    if (function_total > *reserved) {
      throw errors::invalid_parameter(
          "Requested Provisioned Concurrency should not be greater than the "
          "reservedConcurrentExecution for function");
    }
    return;  // a reservation's workers are its own: the unreserved pool does not pay for them
  }
  const int minimum = unreserved_minimum(limit);
  if (unreserved - unreserved_total < minimum) {
    throw errors::invalid_parameter(
        "Specified ConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [" +
        std::to_string(minimum) + "].");
  }
}

ProvisionedStatus provisioned_status(const ProvisionedConfig& config,
                                     const std::map<std::string, size_t>& initialized) {
  ProvisionedStatus status;
  bool ready = !config.shares.empty();
  for (const auto& [version, share] : config.shares) {
    const auto it = initialized.find(version);
    const int have =
        it == initialized.end()
            ? 0
            : static_cast<int>(std::min<size_t>(it->second, static_cast<size_t>(share)));
    status.allocated += have;
    if (have < share) ready = false;
  }
  if (ready) status.status = "READY";
  return status;
}

}  // namespace lambdad::registry
