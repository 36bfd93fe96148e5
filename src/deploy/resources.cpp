#include "resources.hpp"

#include <set>

#include "api_access.hpp"
#include "api_auth.hpp"

namespace lambdad::deploy {

namespace {

const std::set<std::string, std::less<>> kLayerProperties = {"ContentUri",
                                                             "LayerName",
                                                             "Description",
                                                             "CompatibleRuntimes",
                                                             "CompatibleArchitectures",
                                                             "LicenseInfo",
                                                             "RetentionPolicy",
                                                             "PublishLambdaVersion"};

}  // namespace

std::optional<std::filesystem::path> read_layer(const std::string& logical_id, int line,
                                                const Node& properties, LoadContext& ctx) {
  const std::string who = "layer '" + logical_id + "'";
  for (const auto& entry : properties.entries) {
    if (!kLayerProperties.contains(entry.key)) {
      ctx.error(entry.value.line, who, "unknown property '" + entry.key + "'");
    }
  }
  const Node* content = properties.find("ContentUri");
  if (!content) {
    ctx.error(line, who, "ContentUri is required (a local folder)");
    return std::nullopt;
  }
  return local_folder(*content, who, "ContentUri", ctx);
}

ApiConfig read_api(const std::string& logical_id, const std::string& type, int line,
                   const Node& properties, LoadContext& ctx) {
  const bool rest = type == "AWS::Serverless::Api";
  Node checked = properties;
  read_api_auth("api '" + logical_id + "'", !rest, checked, ctx);
  ApiConfig api{.logical_id = logical_id,
                .type = type,
                .stage_name = rest ? "Prod" : "$default",
                .properties = to_json(checked),
                .line = line};
  check_api_access(properties, rest, "api '" + logical_id + "'", ctx);
  const Node* stage = properties.find("StageName");
  if (!stage || stage->is_invalid()) return api;
  if (!stage->is_scalar() || stage->unresolved || stage->text.empty()) {
    ctx.error(stage->line, "api '" + logical_id + "'",
              "StageName must be a non-empty string, got " + describe(*stage));
  } else {
    api.stage_name = stage->text;
  }
  return api;
}

void warn_not_created(const std::string& logical_id, const std::string& type, int line,
                      LoadContext& ctx) {
  std::string message = "lambdad does not create " + type + " resources";
  if (type == "AWS::Lambda::Function") {
    message += "; only AWS::Serverless::Function resources are run";
  } else if (type == "AWS::Lambda::LayerVersion") {
    message += "; use AWS::Serverless::LayerVersion with a local ContentUri";
  } else if (type.starts_with("AWS::ApiGateway") || type.starts_with("AWS::ApiGatewayV2")) {
    message += "; routes come from the Api and HttpApi events of functions";
  }
  ctx.warning(line, "resource '" + logical_id + "'", message);
}

}  // namespace lambdad::deploy
