#pragma once
/// @brief A function's published versions and aliases as the scheduler serves them: what the
/// registry hands over beside each function's $LATEST configuration. Plain data.

#include <map>
#include <string>

#include "lambdad/common/function_config.hpp"

namespace lambdad {

/// One published version: an immutable snapshot of the function's configuration and code.
struct PublishedVersion {
  FunctionConfig config;
  /// Identifies the code the snapshot runs (its content hash, or the template's fingerprint of
  /// the folder); a redeploy keeps the version's warm workers while it and the config hold.
  std::string code_fingerprint;
  int provisioned = 0;  ///< workers kept initialised

  bool operator==(const PublishedVersion&) const = default;
};

/// An alias: a version, and optionally a second one that takes a share of the invocations
/// (`RoutingConfig.AdditionalVersionWeights`).
struct AliasRouting {
  std::string version;
  std::string additional_version;  ///< "" when the alias routes to one version
  double additional_weight = 0;    ///< 0.0–1.0: the share additional_version gets

  bool operator==(const AliasRouting&) const = default;
};

struct FunctionVersions {
  std::map<std::string, PublishedVersion> versions;  ///< "1", "2", … (not $LATEST)
  std::map<std::string, AliasRouting> aliases;       ///< alias name → routing
};

/// Function name → its published versions and aliases.
using Publications = std::map<std::string, FunctionVersions>;

/// What SAM's `AutoPublishAlias` publishes for a template function: version 1 with the
/// function's configuration (its code as the template names it, `code_fingerprint`), with
/// `ProvisionedConcurrencyConfig`'s workers, and the alias pointing at it. Empty without one.
FunctionVersions auto_published(const FunctionConfig& config, const std::string& code_fingerprint);

/// The version an alias sends one invocation to: `draw` is uniform in [0, 1).
const std::string& route_alias(const AliasRouting& alias, double draw);

}  // namespace lambdad
