#pragma once
// A yaml-cpp node as JSON, for BuildProperties: maps, lists, strings; true/false as booleans.

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

namespace lambdad::build {

nlohmann::json yaml_to_json(const YAML::Node& node);

/// The scalar's text, or "" when the node is missing or not a scalar.
std::string scalar_or_empty(const YAML::Node& node);

}  // namespace lambdad::build
