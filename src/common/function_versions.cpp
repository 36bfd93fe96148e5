#include "lambdad/common/function_versions.hpp"

namespace lambdad {

FunctionVersions auto_published(const FunctionConfig& config, const std::string& code_fingerprint) {
  FunctionVersions published;
  if (!config.auto_publish_alias) return published;
  published.versions["1"] = {config, code_fingerprint, config.provisioned_concurrency};
  published.aliases[*config.auto_publish_alias] = {.version = "1"};
  return published;
}

const std::string& route_alias(const AliasRouting& alias, double draw) {
  if (!alias.additional_version.empty() && draw < alias.additional_weight) {
    return alias.additional_version;
  }
  return alias.version;
}

}  // namespace lambdad
