#include "template_builder.hpp"

#include "api_access.hpp"
#include "api_auth.hpp"
#include "events.hpp"
#include "function_properties.hpp"
#include "openapi.hpp"
#include "parameters.hpp"
#include "resources.hpp"
#include "sam_properties.hpp"

namespace lambdad::deploy {

namespace {

constexpr std::string_view kFunction = "AWS::Serverless::Function";
constexpr std::string_view kLayer = "AWS::Serverless::LayerVersion";
constexpr std::string_view kRestApi = "AWS::Serverless::Api";
constexpr std::string_view kHttpApi = "AWS::Serverless::HttpApi";

}  // namespace

std::string who_for(const std::string& type, const std::string& logical_id) {
  if (type == kFunction) return "function '" + logical_id + "'";
  if (type == kLayer) return "layer '" + logical_id + "'";
  if (type == kRestApi || type == kHttpApi) return "api '" + logical_id + "'";
  return "resource '" + logical_id + "'";
}

TemplateBuilder::TemplateBuilder(std::filesystem::path file,
                                 const std::map<std::string, std::string>& overrides,
                                 Problems& problems)
    : file_(std::move(file)), overrides_(overrides), problems_(problems) {}

void TemplateBuilder::build(const Node& root, Template& out) {
  if (!check_sections(root)) return;
  collect_resources(root.find("Resources"));
  check_transform(root.find("Transform"));
  parameters_ = read_parameters(root.find("Parameters"), overrides_, problems_);
  check_mappings(root.find("Mappings"));
  make_resolver(root);
  check_conditions(root.find("Conditions"));
  globals_.emplace(root.find("Globals"), problems_);
  read_resources(out);
  if (ctx_) out.archives = ctx_->archives;
  add_implicit_apis(out);
  link_openapi_functions(out, problems_);
  out.documents = ctx_->documents;
  check_unique_names(out);
  check_unique_routes(out);
  check_route_authorizers(out, problems_);
  check_access_links(out, problems_);
  check_authorizer_keys(out, problems_);
}

void TemplateBuilder::make_resolver(const Node& root) {
  ResolverInputs inputs{.parameters = parameters_,
                        .pseudo = pseudo_parameters(),
                        .conditions = root.find("Conditions"),
                        .mappings = root.find("Mappings")};
  for (const auto& [logical_id, resource] : resources_) {
    inputs.resource_types[logical_id] = resource.type;
  }
  stack_name_ = inputs.pseudo.at("AWS::StackName").text;
  region_ = inputs.pseudo.at("AWS::Region").text;
  account_ = inputs.pseudo.at("AWS::AccountId").text;
  partition_ = inputs.pseudo.at("AWS::Partition").text;
  find_apis();
  inputs.reference = [this](const std::string& name, const std::string* attribute) {
    return reference(name, attribute);
  };
  resolver_.emplace(std::move(inputs), problems_);
  ctx_.emplace(
      LoadContext{.dir = file_.parent_path(), .problems = problems_, .resolver = *resolver_});
  ctx_->code_root = code_root_;
}

/// `Ref` to a function gives its name: FunctionName when set, else the logical id.
std::string TemplateBuilder::function_name(const std::string& logical_id) {
  const Resource& resource = resources_.at(logical_id);
  const Node* properties = resource.node->find("Properties");
  const Node* name =
      properties && properties->is_map() ? properties->find("FunctionName") : nullptr;
  if (resource.type != kFunction || !name || !naming_.insert(logical_id).second) return logical_id;
  auto value = resolver_->resolve(*name, who_for(resource.type, logical_id));
  naming_.erase(logical_id);
  return value && value->is_scalar() ? value->text : logical_id;
}

/// `Ref: MyApi.Stage` gives the API's StageName (SAM's defaults: Prod, $default).
std::string TemplateBuilder::stage_name(const std::string& logical_id) {
  const Resource& resource = resources_.at(logical_id);
  const Node* properties = resource.node->find("Properties");
  const Node* stage = properties && properties->is_map() ? properties->find("StageName") : nullptr;
  const std::string fallback = resource.type == kRestApi ? "Prod" : "$default";
  if (!stage || !naming_.insert(logical_id).second) return fallback;
  auto value = resolver_->resolve(*stage, who_for(resource.type, logical_id));
  naming_.erase(logical_id);
  return value && value->is_scalar() ? value->text : fallback;
}

bool TemplateBuilder::is_active(const std::string& logical_id, const Resource& resource) {
  const Node* condition = resource.node->find("Condition");
  if (!condition) return true;
  const std::string who = who_for(resource.type, logical_id);
  if (!condition->is_scalar()) {
    problems_.error(condition->line, who + ": Condition must name a condition");
    return false;
  }
  return resolver_->condition(condition->text, condition->line, who).value_or(false);
}

Node TemplateBuilder::properties_of(const Resource& resource, const std::string& who) {
  Node local = Node::map(resource.line);
  if (const Node* given = resource.node->find("Properties"); given && !given->is_null()) {
    if (!given->is_map()) {
      problems_.error(given->line, who + ": Properties must be a map");
    } else {
      local = *given;
    }
  }
  const Node merged =
      globals_->merge(resource.type, local, resource.node->find("IgnoreGlobals"), who, problems_);
  auto resolved = resolver_->resolve(merged, who);
  return resolved && resolved->is_map() ? *resolved : Node::map(resource.line);
}

void TemplateBuilder::read_resources(Template& out) {
  for (const auto& logical_id : order_) {
    const Resource& resource = resources_.at(logical_id);
    if (is_active(logical_id, resource)) ctx_->resource_types[logical_id] = resource.type;
  }
  // Layers first: functions refer to them.
  for (const auto& [logical_id, type] : ctx_->resource_types) {
    if (type != kLayer) continue;
    const Resource& resource = resources_.at(logical_id);
    const Node properties = properties_of(resource, who_for(type, logical_id));
    if (auto dir = read_layer(logical_id, resource.line, properties, *ctx_)) {
      ctx_->layer_dirs[logical_id] = *dir;
    }
  }
  std::map<std::string, int> not_created;
  std::vector<std::string> schedule_resources;  // read once every function is known
  for (const auto& logical_id : order_) {
    if (!ctx_->resource_types.contains(logical_id)) continue;
    const Resource& resource = resources_.at(logical_id);
    const std::string who = who_for(resource.type, logical_id);
    if (resource.type == kFunction) {
      out.functions.push_back(
          read_function(logical_id, resource.line, properties_of(resource, who), *ctx_));
      if (const Node* metadata = resource.node->find("Metadata")) {
        read_lambdad_metadata(*metadata, who, out.functions.back(), *ctx_);
      }
    } else if (resource.type == kRestApi || resource.type == kHttpApi) {
      out.apis.push_back(
          read_api(logical_id, resource.type, resource.line, properties_of(resource, who), *ctx_));
    } else if (is_usage_plan_type(resource.type)) {
      read_usage_plan_resource(logical_id, resource.type, resource.line,
                               properties_of(resource, who), *ctx_, out.usage_plans);
    } else if (resource.type == kEventsRule || resource.type == kSchedulerSchedule) {
      schedule_resources.push_back(logical_id);
    } else if (resource.type != kLayer) {
      if (const Node* given = resource.node->find("Properties"); given && given->is_map()) {
        check_sam_properties(who, resource.type, *given, *ctx_);
      }
      if (!warn_not_created(logical_id, resource.type, resource.line, *ctx_)) {
        ++not_created[resource.type];
      }
    }
  }
  read_event_schedules(out);
  for (const auto& logical_id : schedule_resources) {
    const Resource& resource = resources_.at(logical_id);
    if (!read_schedule_resource(logical_id, resource, out) &&
        !warn_not_created(logical_id, resource.type, resource.line, *ctx_)) {
      ++not_created[resource.type];
    }
  }
  check_unique_schedules(out);
  if (!not_created.empty()) {
    // Said once: every SAM project has roles, tables or buckets that only AWS creates.
    problems_.warning(0,
                      "not created by lambdad (only AWS has them; Ref and Fn::GetAtt give "
                      "their CloudFormation names and ARNs): " +
                          describe_types(not_created));
  }
}

void TemplateBuilder::add_implicit_apis(Template& out) {
  std::set<std::string> used;
  for (const auto& function : out.functions) {
    for (const auto& event : function.events) {
      if (!event.route) continue;
      const std::string& id = event.route->api;
      if (id == kImplicitRestApi || id == kImplicitHttpApi) used.insert(id);
    }
  }
  for (const auto& id : used) {
    const std::string type(id == kImplicitRestApi ? kRestApi : kHttpApi);
    const std::string who = "api '" + id + "' (implicit)";
    const Node merged = globals_->merge(type, Node::map(0), nullptr, who, problems_);
    auto resolved = resolver_->resolve(merged, who);
    ApiConfig api = read_api(id, type, 0, resolved ? *resolved : Node::map(0), *ctx_);
    api.implicit = true;
    out.apis.push_back(std::move(api));
  }
}

void TemplateBuilder::check_unique_names(const Template& out) {
  std::map<std::string, const FunctionConfig*> seen;
  for (const auto& function : out.functions) {
    auto [it, fresh] = seen.emplace(function.name, &function);
    if (fresh) continue;
    problems_.error(function.line, "function '" + function.logical_id + "': its name '" +
                                       function.name + "' is already the name of function '" +
                                       it->second->logical_id + "' (line " +
                                       std::to_string(it->second->line) + ")");
  }
}

void TemplateBuilder::check_unique_routes(const Template& out) {
  std::map<std::string, std::pair<std::string, int>> routes;  // route -> (function, line)
  for (const auto& function : out.functions) {
    for (const auto& event : function.events) {
      if (!event.route) continue;
      const std::string& api = event.route->api;
      const std::string route = event.route->method + " " + event.route->path;
      auto [it, fresh] =
          routes.emplace(api + " " + route, std::pair(function.logical_id, event.line));
      if (fresh) continue;
      problems_.error(event.line, "function '" + function.logical_id + "': event '" + event.name +
                                      "': " + route + " on api '" + api +
                                      "' is already routed to function '" + it->second.first +
                                      "' (line " + std::to_string(it->second.second) + ")");
    }
  }
}

}  // namespace lambdad::deploy
