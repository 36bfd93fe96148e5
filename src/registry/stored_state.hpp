#pragma once
// What the registry keeps in memory for the stored operations (tags, policies, event invoke
// configs, layers): loaded at open(), changed on the io thread after each commit.

#include <map>
#include <string>
#include <utility>

#include "lambdad/registry/registry.hpp"

namespace lambdad::registry {

/// (function, qualifier)
using QualifiedName = std::pair<std::string, std::string>;

struct Registry::Stored {
  /// Template functions' tags set through the API (an API function's tags are its record's).
  std::map<std::string, std::map<std::string, std::string>> api_tags;
  std::map<QualifiedName, Policy> policies;
  std::map<QualifiedName, EventInvokeConfig> event_invoke_configs;
  /// The API's provisioned concurrency configs (provisioned.cpp), `shares` empty.
  std::map<QualifiedName, ProvisionedConfig> provisioned;
  /// Published layer versions, by name then version.
  std::map<std::string, std::map<int, LayerVersion>> layers;
  /// The highest version each name ever had (deleted ones included): never reused.
  std::map<std::string, int> last_layer_version;
};

}  // namespace lambdad::registry
