#include <algorithm>
#include <cstdlib>

#include "template_builder.hpp"

namespace lambdad::deploy {

namespace {

using Names = std::set<std::string, std::less<>>;

const Names kSections = {"AWSTemplateFormatVersion",
                         "Transform",
                         "Description",
                         "Metadata",
                         "Parameters",
                         "Rules",
                         "Mappings",
                         "Conditions",
                         "Globals",
                         "Resources",
                         "Outputs"};

const Names kResourceAttributes = {
    "Type",           "Properties",     "Condition",           "DependsOn",
    "Metadata",       "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy",
    "CreationPolicy", "IgnoreGlobals",  "Connectors"};

constexpr std::string_view kServerlessTransform = "AWS::Serverless-2016-10-31";

bool is_alphanumeric(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

std::string region() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    const char* value = std::getenv(name);
    if (value && *value) return value;
  }
  return "us-east-1";
}

}  // namespace

bool TemplateBuilder::check_sections(const Node& root) {
  if (root.is_null()) {
    problems_.error(0, "the template is empty");
    return false;
  }
  if (!root.is_map()) {
    problems_.error(root.line, "a template must be a YAML map of sections (Resources, ...)");
    return false;
  }
  for (const auto& entry : root.entries) {
    if (!kSections.contains(entry.key)) {
      problems_.error(entry.value.line, "unknown top-level section '" + entry.key + "'");
    }
  }
  if (const Node* rules = root.find("Rules")) {
    problems_.warning(rules->line, "Rules are not checked by lambdad");
  }
  if (const Node* outputs = root.find("Outputs"); outputs && !outputs->is_map()) {
    problems_.error(outputs->line, "Outputs must be a map");
  }
  check_format_version(root.find("AWSTemplateFormatVersion"));
  return true;
}

void TemplateBuilder::check_format_version(const Node* version) {
  if (!version || (version->is_scalar() && version->text == "2010-09-09")) return;
  problems_.error(version->line, "AWSTemplateFormatVersion must be 2010-09-09");
}

void TemplateBuilder::check_transform(const Node* transform) {
  std::vector<const Node*> names;
  if (transform && transform->is_list()) {
    for (const Node& item : transform->items) names.push_back(&item);
  } else if (transform) {
    names.push_back(transform);
  }
  bool serverless = false;
  for (const Node* name : names) {
    if (!name->is_scalar()) {
      problems_.error(name->line, "Transform must name transforms, got " + describe(*name));
    } else if (name->text == kServerlessTransform) {
      serverless = true;
    } else if (name->text != "AWS::LanguageExtensions") {
      problems_.warning(name->line, "transform '" + name->text + "' is not applied by lambdad");
    }
  }
  if (!serverless && has_serverless_) {
    problems_.warning(transform ? transform->line : 0,
                      "Transform: AWS::Serverless-2016-10-31 is missing; CloudFormation needs it "
                      "for AWS::Serverless::* resources");
  }
}

void TemplateBuilder::collect_resources(const Node* section) {
  if (!section || section->is_null()) {
    problems_.error(section ? section->line : 0, "the template has no Resources");
    return;
  }
  if (!section->is_map()) {
    problems_.error(section->line, "Resources must be a map");
    return;
  }
  for (const auto& [logical_id, resource] : section->entries) check_resource(logical_id, resource);
}

void TemplateBuilder::check_resource(const std::string& logical_id, const Node& resource) {
  const std::string who = "resource '" + logical_id + "'";
  if (!is_alphanumeric(logical_id)) {
    problems_.error(resource.line, who + ": a logical id must be alphanumeric");
  }
  if (!resource.is_map()) {
    problems_.error(resource.line, who + ": must be a map with Type and Properties");
    return;
  }
  for (const auto& entry : resource.entries) {
    if (!kResourceAttributes.contains(entry.key)) {
      problems_.warning(entry.value.line, who + ": unknown attribute '" + entry.key +
                                              "' is ignored (properties go under Properties)");
    }
  }
  const Node* type = resource.find("Type");
  if (!type || !type->is_scalar() || type->text.empty()) {
    problems_.error(resource.line, who + ": Type is required");
    return;
  }
  has_serverless_ = has_serverless_ || type->text.starts_with("AWS::Serverless::");
  resources_[logical_id] = Resource{type->text, &resource, resource.line};
  order_.push_back(logical_id);
}

void TemplateBuilder::check_conditions(const Node* section) {
  if (!section || section->is_null()) return;
  if (!section->is_map()) {
    problems_.error(section->line, "Conditions must be a map");
    return;
  }
  // Every condition is evaluated, used or not, so that a broken one is reported.
  for (const auto& entry : section->entries) resolver_->condition(entry.key, entry.value.line, "");
}

void TemplateBuilder::check_mappings(const Node* section) {
  if (!section || section->is_null()) return;
  if (!section->is_map()) {
    problems_.error(section->line, "Mappings must be a map");
    return;
  }
  for (const auto& [name, mapping] : section->entries) {
    bool ok = mapping.is_map();
    for (const auto& entry : mapping.entries) ok = ok && entry.value.is_map();
    if (!ok) {
      problems_.error(mapping.line, "mapping '" + name + "' must be a map of maps");
    }
  }
}

std::map<std::string, Node> TemplateBuilder::pseudo_parameters() const {
  auto given = [&](const char* name, std::string fallback) {
    auto it = overrides_.find(name);
    return it == overrides_.end() ? fallback : it->second;
  };
  // sam local's defaults (SAM CLI's DEFAULT_PSEUDO_PARAM_VALUES): the stack is "local", whatever
  // the folder is called, so `!Sub ${AWS::StackName}-...` names stay short. The region follows
  // the environment, as sam local's follows the profile.
  const std::string stack = given("AWS::StackName", "local");
  const std::string where = given("AWS::Region", region());
  const std::string account = given("AWS::AccountId", "123456789012");
  const std::string partition = given("AWS::Partition", "aws");
  Node no_arns = Node::list(0);
  return {
      {"AWS::Region", Node::scalar(where, 0)},
      {"AWS::AccountId", Node::scalar(account, 0)},
      {"AWS::StackName", Node::scalar(stack, 0)},
      {"AWS::StackId",
       Node::scalar(
           given("AWS::StackId", "arn:" + partition + ":cloudformation:" + where + ":" + account +
                                     ":stack/" + stack + "/51af3dc0-da77-11e4-872e-1234567db123"),
           0)},
      {"AWS::Partition", Node::scalar(partition, 0)},
      {"AWS::URLSuffix", Node::scalar(given("AWS::URLSuffix", "amazonaws.com"), 0)},
      {"AWS::NotificationARNs", no_arns},
  };
}

}  // namespace lambdad::deploy
