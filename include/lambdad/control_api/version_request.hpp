#pragma once
/// @brief The bodies of PublishVersion, CreateAlias and UpdateAlias, read and checked as Lambda
/// checks them into what the registry takes. Pure functions over untrusted JSON; each throws
/// AwsError. (Whether the versions they name exist is the registry's check.)

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lambdad/registry/function_record.hpp"

namespace lambdad::control_api {

registry::PublishRequest publish_request(const nlohmann::json& body);

/// CreateAlias: the alias without its function (the path names that).
registry::AliasRecord alias_request(const nlohmann::json& body);

struct AliasUpdate {
  registry::AliasPatch patch;
  std::optional<std::string> revision_id;
};
AliasUpdate alias_update(const nlohmann::json& body);

}  // namespace lambdad::control_api
