#include "lambdad/gateway/usage_plans.hpp"

#include <algorithm>
#include <cmath>

#include "lambdad/common/template_values.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

constexpr const char* kSharedPlan = "ServerlessUsagePlan";
constexpr const char* kSharedKey = "ServerlessApiKey";

std::map<std::string, ThrottleLimits> method_throttles(const json& throttle) {
  std::map<std::string, ThrottleLimits> out;
  if (!throttle.is_object()) return out;
  for (const auto& [method, settings] : throttle.items()) {
    if (auto limits = plan_throttle(settings)) out[method] = *limits;
  }
  return out;
}

UsagePlanDef& plan_named(UsagePlansDef& out, const std::string& id) {
  auto it = std::find_if(out.plans.begin(), out.plans.end(),
                         [&](const UsagePlanDef& p) { return p.id == id; });
  if (it != out.plans.end()) return *it;
  return out.plans.emplace_back(UsagePlanDef{.id = id});
}

void add_key(UsagePlansDef& out, ApiKeyDef key) {
  if (!out.key(key.id)) out.keys.push_back(std::move(key));
}

void link(UsagePlanDef& plan, const std::string& key) {
  if (std::find(plan.keys.begin(), plan.keys.end(), key) == plan.keys.end()) {
    plan.keys.push_back(key);
  }
}

/// The resources of the template itself.
void read_resources(const Template& tmpl, UsagePlansDef& out,
                    const std::function<std::string(const std::string&)>& generate) {
  for (const auto& r : tmpl.usage_plan_resources) {
    const json& p = r.properties;
    if (r.type == "AWS::ApiGateway::ApiKey") {
      std::string value = text_of(json_value(p, "Value"));
      const bool generated = value.empty();
      if (generated) value = generate(r.logical_id);
      add_key(out, ApiKeyDef{r.logical_id, std::move(value),
                             flag_of(json_value(p, "Enabled")).value_or(false), generated});
    } else if (r.type == "AWS::ApiGateway::UsagePlan") {
      UsagePlanDef& plan = plan_named(out, r.logical_id);
      plan.throttle = plan_throttle(json_value(p, "Throttle"));
      plan.quota = plan_quota(json_value(p, "Quota"));
      const json& stages = json_value(p, "ApiStages");
      for (const auto& stage : stages.is_array() ? stages : json::array()) {
        plan.stages.push_back(PlanStage{text_of(json_value(stage, "ApiId")),
                                        text_of(json_value(stage, "Stage")),
                                        method_throttles(json_value(stage, "Throttle"))});
      }
    }
  }
  // Keys join plans once every plan exists, whatever the order of the resources.
  for (const auto& r : tmpl.usage_plan_resources) {
    if (r.type != "AWS::ApiGateway::UsagePlanKey") continue;
    const std::string plan = text_of(json_value(r.properties, "UsagePlanId"));
    auto it = std::find_if(out.plans.begin(), out.plans.end(),
                           [&](const UsagePlanDef& p) { return p.id == plan; });
    if (it != out.plans.end()) link(*it, text_of(json_value(r.properties, "KeyId")));
  }
}

/// What SAM generates for `Auth.UsagePlan`.
void read_sam_plans(const Template& tmpl, UsagePlansDef& out,
                    const std::function<std::string(const std::string&)>& generate) {
  for (const ApiConfig& api : tmpl.apis) {
    if (api.type != "AWS::Serverless::Api") continue;
    const json& settings = json_value(json_value(api.properties, "Auth"), "UsagePlan");
    const std::string create = text_of(json_value(settings, "CreateUsagePlan"));
    if (create != "PER_API" && create != "SHARED") continue;
    const bool shared = create == "SHARED";
    const std::string plan_id = shared ? kSharedPlan : api.logical_id + "UsagePlan";
    const std::string key_id = shared ? kSharedKey : api.logical_id + "ApiKey";
    UsagePlanDef& plan = plan_named(out, plan_id);
    plan.stages.push_back(PlanStage{api.logical_id, api.stage_name, {}});
    // SHARED: the first API that sets a throttle or quota sets it for the plan.
    if (!plan.throttle) plan.throttle = plan_throttle(json_value(settings, "Throttle"));
    if (!plan.quota) plan.quota = plan_quota(json_value(settings, "Quota"));
    add_key(out, ApiKeyDef{key_id, generate(key_id), true, true});
    link(plan, key_id);
  }
}

}  // namespace

const ApiKeyDef* UsagePlansDef::key(const std::string& id) const {
  for (const auto& key : keys) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

UsagePlansDef read_usage_plans(const Template& tmpl,
                               const std::function<std::string(const std::string&)>& generate) {
  UsagePlansDef out;
  read_resources(tmpl, out, generate);
  read_sam_plans(tmpl, out, generate);
  return out;
}

std::optional<ThrottleLimits> plan_throttle(const json& settings) {
  const auto burst = number_of(json_value(settings, "BurstLimit"));
  const auto rate = number_of(json_value(settings, "RateLimit"));
  if (!burst && !rate) return std::nullopt;
  ThrottleLimits limits;
  if (rate && *rate >= 0) limits.rate = *rate;
  if (burst && *burst >= 0) limits.burst = static_cast<long long>(std::floor(*burst));
  return limits;
}

std::optional<QuotaLimits> plan_quota(const json& settings) {
  const auto limit = number_of(json_value(settings, "Limit"));
  const auto period = parse_quota_period(text_of(json_value(settings, "Period")));
  if (!limit || *limit < 0 || !period) return std::nullopt;
  const auto offset = number_of(json_value(settings, "Offset"));
  return QuotaLimits{static_cast<long long>(*limit), *period,
                     offset && *offset > 0 ? static_cast<long long>(*offset) : 0};
}

}  // namespace lambdad::gateway
