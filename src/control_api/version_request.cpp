#include "lambdad/control_api/version_request.hpp"

#include "body_fields.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;

/// RoutingConfig.AdditionalVersionWeights: version → weight (a number; the range is the
/// registry's check, with the versions').
std::optional<std::map<std::string, double>> weights(const json& body) {
  const json* routing = member(body, "RoutingConfig");
  if (!routing) return std::nullopt;
  if (!routing->is_object()) throw wrong_type("RoutingConfig", "an object");
  std::map<std::string, double> map;
  const json* weights = member(*routing, "AdditionalVersionWeights");
  if (!weights) return map;
  if (!weights->is_object()) throw wrong_type("AdditionalVersionWeights", "an object of numbers");
  for (const auto& [version, weight] : weights->items()) {
    if (!weight.is_number()) throw wrong_type("AdditionalVersionWeights", "an object of numbers");
    map[version] = weight.get<double>();
  }
  return map;
}

}  // namespace

registry::PublishRequest publish_request(const json& body) {
  return {.code_sha256 = text(body, "CodeSha256"),
          .revision_id = text(body, "RevisionId"),
          .description = text(body, "Description")};
}

registry::AliasRecord alias_request(const json& body) {
  registry::AliasRecord alias;
  const auto name = text(body, "Name");
  if (!name) throw validation("null", "name", "Member must not be null");
  alias.name = *name;
  const auto version = text(body, "FunctionVersion");
  if (!version) throw validation("null", "functionVersion", "Member must not be null");
  alias.function_version = *version;
  alias.description = text(body, "Description").value_or("");
  alias.weights = weights(body).value_or(std::map<std::string, double>{});
  return alias;
}

AliasUpdate alias_update(const json& body) {
  AliasUpdate update;
  update.patch.function_version = text(body, "FunctionVersion");
  update.patch.description = text(body, "Description");
  update.patch.weights = weights(body);
  update.revision_id = text(body, "RevisionId");
  return update;
}

}  // namespace lambdad::control_api
