#pragma once
/// @brief Provisioned concurrency as the Lambda API sets it (PutProvisionedConcurrencyConfig):
/// a config's record, how its workers spread over the versions it covers, the limits it must keep,
/// and the status the API reports. Pure functions; the registry's state lives in registry.hpp and
/// src/registry/provisioned.cpp.
///
/// A config names a version or an alias, never $LATEST; each version has at most one config,
/// through itself or an alias on it. An alias's config follows the alias: its workers go to the
/// version it points at, and a weighted alias spreads them over both versions by weight (AWS
/// does the same), the additional version getting its weight's share rounded to the nearest
/// worker and the primary version the rest.

#include <map>
#include <optional>
#include <string>

namespace lambdad::registry {

/// One provisioned concurrency config, with what it covers now.
struct ProvisionedConfig {
  std::string function;
  std::string qualifier;  ///< a version number or an alias name
  int requested = 0;      ///< RequestedProvisionedConcurrentExecutions
  long long last_modified_ms = 0;
  /// The template's AutoPublishAlias ProvisionedConcurrencyConfig: read-only through the API.
  bool from_template = false;
  /// Version → workers kept initialised for this config (spread()); filled when read.
  std::map<std::string, int> shares;
};

/// How `requested` workers spread over an alias's versions: all on `version`, or the
/// `additional_version` (weight `additional_weight`, 0–1) its rounded share and `version` the rest.
/// A version's entry is kept at 0 when its share rounds to nothing: the config still covers it.
std::map<std::string, int> spread(int requested, const std::string& version,
                                  const std::string& additional_version = "",
                                  double additional_weight = 0);

/// Throws AwsError InvalidParameterValueException, with Lambda's messages, when the function's
/// provisioned total (`function_total`: every config of the function once this one is written)
/// exceeds its reservation, or, for a function without one, when the provisioned concurrency of
/// the functions without a reservation (`unreserved_total`, this one's included) would leave the
/// server's unreserved pool (`unreserved`: the limit minus every reservation) below its minimum
/// (concurrency.hpp's unreserved_minimum of `limit`).
void check_provisioned(int limit, long long unreserved, std::optional<int> reserved,
                       long long function_total, long long unreserved_total);

/// What Get/List report for a config: READY once every version it covers has its share of
/// initialised workers, IN_PROGRESS until then.
struct ProvisionedStatus {
  int allocated = 0;  ///< Allocated = Available: initialised workers counted toward the config
  const char* status = "IN_PROGRESS";
};
/// `initialized`: each version's initialised workers (scheduler::VersionStats::initialized).
ProvisionedStatus provisioned_status(const ProvisionedConfig& config,
                                     const std::map<std::string, size_t>& initialized);

}  // namespace lambdad::registry
