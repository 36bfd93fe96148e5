#include "globals.hpp"

#include <algorithm>
#include <set>

namespace lambdad::deploy {

namespace {

using Names = std::set<std::string, std::less<>>;

// What SAM allows in each Globals section (samtranslator/plugins/globals/globals.py and the
// developer guide's Globals page, SAM 1.10x, late 2025).
const std::map<std::string, Names, std::less<>>& supported() {
  static const std::map<std::string, Names, std::less<>> kSupported = {
      {"Function",
       {"Handler",
        "Runtime",
        "CodeUri",
        "DeadLetterQueue",
        "Description",
        "MemorySize",
        "Timeout",
        "VpcConfig",
        "Environment",
        "Tags",
        "PropagateTags",
        "Tracing",
        "KmsKeyArn",
        "AutoPublishAlias",
        "AutoPublishAliasAllProperties",
        "Layers",
        "DeploymentPreference",
        "RolePath",
        "PermissionsBoundary",
        "ReservedConcurrentExecutions",
        "ProvisionedConcurrencyConfig",
        "AssumeRolePolicyDocument",
        "EventInvokeConfig",
        "FileSystemConfigs",
        "CodeSigningConfigArn",
        "Architectures",
        "SnapStart",
        "EphemeralStorage",
        "FunctionUrlConfig",
        "RuntimeManagementConfig",
        "LoggingConfig",
        "RecursiveLoop",
        "SourceKMSKeyArn",
        "CapacityProviderConfig",
        "DurableConfig",
        "FunctionScalingConfig",
        "TenancyConfig",
        "PublishToLatestPublished"}},
      {"Api",
       {"Auth",
        "Name",
        "DefinitionUri",
        "CacheClusterEnabled",
        "CacheClusterSize",
        "MergeDefinitions",
        "Variables",
        "EndpointConfiguration",
        "MethodSettings",
        "BinaryMediaTypes",
        "MinimumCompressionSize",
        "Cors",
        "GatewayResponses",
        "AccessLogSetting",
        "CanarySetting",
        "TracingEnabled",
        "OpenApiVersion",
        "Domain",
        "AlwaysDeploy",
        "PropagateTags",
        "SecurityPolicy",
        "EndpointAccessMode"}},
      {"HttpApi",
       {"Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration",
        "DefaultRouteSettings", "Domain", "RouteSettings", "FailOnWarnings", "PropagateTags",
        "DisableExecuteApiEndpoint"}},
      {"SimpleTable", {"SSESpecification"}},
      {"StateMachine", {"PropagateTags"}},
      {"LayerVersion", {"PublishLambdaVersion"}},
  };
  return kSupported;
}

std::string joined(const Names& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

Node merge_values(const Node& global, const Node& local);

Node merge_maps(const Node& global, const Node& local) {
  Node out = global;
  out.line = local.line;
  for (const auto& entry : local.entries) {
    if (Node* existing = out.find(entry.key)) {
      *existing = merge_values(*existing, entry.value);
    } else {
      out.entries.push_back(entry);
    }
  }
  return out;
}

Node merge_values(const Node& global, const Node& local) {
  const bool maps =
      global.is_map() && local.is_map() && !is_intrinsic(global) && !is_intrinsic(local);
  if (maps) return merge_maps(global, local);
  if (global.is_list() && local.is_list()) {
    Node out = global;
    out.line = local.line;
    out.items.insert(out.items.end(), local.items.begin(), local.items.end());
    return out;
  }
  return local;
}

}  // namespace

Globals::Globals(const Node* section, Problems& problems) {
  if (!section || section->is_null()) return;
  if (!section->is_map()) {
    problems.error(section->line, "Globals must be a map");
    return;
  }
  // Newer sections for resources lambdad does not create: accepted whole.
  static const Names kUnchecked = {"CapacityProvider", "MicrovmImage", "NetworkConnector",
                                   "WebFunction"};
  for (const auto& [name, properties] : section->entries) {
    if (kUnchecked.contains(name)) continue;
    auto known = supported().find(name);
    if (known == supported().end()) {
      problems.error(properties.line, "Globals: '" + name +
                                          "' is not supported (use Function, Api, HttpApi, "
                                          "SimpleTable, StateMachine or LayerVersion)");
      continue;
    }
    if (!properties.is_map()) {
      problems.error(properties.line, "Globals." + name + " must be a map");
      continue;
    }
    Node kept = Node::map(properties.line);
    for (const auto& entry : properties.entries) {
      if (known->second.contains(entry.key)) {
        kept.entries.push_back(entry);
        continue;
      }
      problems.error(entry.value.line, "Globals." + name + ": '" + entry.key +
                                           "' is not supported in Globals (SAM allows: " +
                                           joined(known->second) + ")");
    }
    sections_.emplace("AWS::Serverless::" + name, std::move(kept));
  }
}

Node Globals::merge(const std::string& type, const Node& properties, const Node* ignore,
                    const std::string& who, Problems& problems) const {
  auto section = sections_.find(type);
  if (section == sections_.end()) return properties;
  Node global = section->second;
  if (ignore && ignore->is_scalar() && ignore->text == "*") return properties;
  if (ignore && ignore->is_list()) {
    for (const Node& name : ignore->items) {
      if (!global.find(name.text)) {
        problems.error(name.line,
                       who + ": IgnoreGlobals names '" + name.text + "', which is not in Globals");
      }
      global.erase(name.text);
    }
  } else if (ignore) {
    problems.error(ignore->line, who + ": IgnoreGlobals must be \"*\" or a list of property names");
  }
  return merge_maps(global, properties);
}

}  // namespace lambdad::deploy
