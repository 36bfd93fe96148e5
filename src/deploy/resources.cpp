#include "resources.hpp"

#include <set>

#include "api_access.hpp"
#include "api_auth.hpp"
#include "api_settings_reader.hpp"
#include "openapi.hpp"
#include "sam_properties.hpp"

namespace lambdad::deploy {

namespace {}  // namespace

std::optional<std::filesystem::path> read_layer(const std::string& logical_id, int line,
                                                const Node& properties, LoadContext& ctx) {
  const std::string who = "layer '" + logical_id + "'";
  check_sam_properties(who, "AWS::Serverless::LayerVersion", properties, ctx);
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
  check_sam_properties("api '" + logical_id + "'", type, properties, ctx);
  const std::string who = "api '" + logical_id + "'";
  Node checked = properties;
  read_api_auth(who, !rest, checked, ctx);
  check_api_access(properties, rest, who, ctx);
  // The document is read once, by read_openapi: its settings are not the properties'.
  checked.erase("DefinitionBody");
  ApiConfig api{.logical_id = logical_id,
                .type = type,
                .stage_name = rest ? "Prod" : "$default",
                .settings = read_api_settings(checked, to_json(checked), rest, who, ctx),
                .line = line};
  api.openapi = read_openapi(properties, !rest, who, ctx);
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

bool warn_not_created(const std::string& logical_id, const std::string& type, int line,
                      LoadContext& ctx) {
  std::string message = "lambdad does not create " + type + " resources";
  if (type == "AWS::Lambda::Function") {
    message += "; only AWS::Serverless::Function resources are run";
  } else if (type == "AWS::Lambda::LayerVersion") {
    message += "; use AWS::Serverless::LayerVersion with a local ContentUri";
  } else if (type.starts_with("AWS::ApiGateway")) {
    message += "; routes come from the Api and HttpApi events of functions";
  } else if (type == "AWS::Events::Rule" || type == "AWS::Scheduler::Schedule") {
    message +=
        " that have no ScheduleExpression or no function of this template as target; "
        "lambdad runs schedules that target a function, and the Schedule, ScheduleV2, "
        "Api and HttpApi events of functions";
  } else if (type == "AWS::Lambda::EventSourceMapping") {
    message += "; lambdad runs the Schedule, ScheduleV2, Api and HttpApi events of functions";
  } else if (type == "AWS::Serverless::StateMachine" ||
             type == "AWS::StepFunctions::StateMachine" || type == "AWS::Serverless::Application" ||
             type == "AWS::Serverless::GraphQLApi" || type == "AWS::Lambda::Url" ||
             type.starts_with("AWS::AppSync::") || type == "AWS::CloudFormation::Stack") {
    message += "; it is not run";
  } else if (type.starts_with("AWS::Serverless::") && !sam_resource_properties(type) &&
             type != "AWS::Serverless::Connector" && type != "AWS::Serverless::SimpleTable") {
    message = "'" + type + "' is not a resource type lambdad knows; it is not created";
  } else {
    return false;  // IAM roles, tables, buckets, ...: only AWS has them, as users expect
  }
  ctx.warning(line, "resource '" + logical_id + "'", message);
  return true;
}

}  // namespace lambdad::deploy
