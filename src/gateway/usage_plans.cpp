#include "lambdad/gateway/usage_plans.hpp"

#include <algorithm>

namespace lambdad::gateway {

namespace {

constexpr const char* kSharedPlan = "ServerlessUsagePlan";
constexpr const char* kSharedKey = "ServerlessApiKey";

/// A plan's throttle: a limit it leaves out is the account default; nullopt when it sets none.
std::optional<ThrottleLimits> plan_throttle(const api::Throttle& throttle) {
  if (throttle.empty()) return std::nullopt;
  ThrottleLimits limits;
  if (throttle.rate) limits.rate = *throttle.rate;
  if (throttle.burst) limits.burst = *throttle.burst;
  return limits;
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
  const api::UsagePlanResources& resources = tmpl.usage_plans;
  for (const api::ApiKey& key : resources.keys) {
    const bool generated = key.value.empty();
    add_key(out,
            ApiKeyDef{key.id, generated ? generate(key.id) : key.value, key.enabled, generated});
  }
  for (const api::UsagePlan& spec : resources.plans) {
    UsagePlanDef& plan = plan_named(out, spec.id);
    plan.throttle = plan_throttle(spec.throttle);
    plan.quota = spec.quota;
    for (const api::PlanStage& stage : spec.stages) {
      PlanStage& out_stage = plan.stages.emplace_back(PlanStage{stage.api, stage.stage, {}});
      for (const auto& [method, throttle] : stage.methods) {
        out_stage.methods[method] = *plan_throttle(throttle);  // the loader keeps set ones only
      }
    }
  }
  // Keys join plans once every plan exists, whatever the order of the resources.
  for (const api::UsagePlanKey& link_spec : resources.plan_keys) {
    auto it = std::find_if(out.plans.begin(), out.plans.end(),
                           [&](const UsagePlanDef& p) { return p.id == link_spec.plan; });
    if (it != out.plans.end()) link(*it, link_spec.key);
  }
}

/// What SAM generates for `Auth.UsagePlan`.
void read_sam_plans(const Template& tmpl, UsagePlansDef& out,
                    const std::function<std::string(const std::string&)>& generate) {
  for (const ApiConfig& api : tmpl.apis) {
    const auto& settings = api.settings.auth.usage_plan;
    if (!settings) continue;  // REST APIs only
    const std::string plan_id = settings->shared ? kSharedPlan : api.logical_id + "UsagePlan";
    const std::string key_id = settings->shared ? kSharedKey : api.logical_id + "ApiKey";
    UsagePlanDef& plan = plan_named(out, plan_id);
    plan.stages.push_back(PlanStage{api.logical_id, api.stage_name, {}});
    // SHARED: the first API that sets a throttle or quota sets it for the plan.
    if (!plan.throttle) plan.throttle = plan_throttle(settings->throttle);
    if (!plan.quota) plan.quota = settings->quota;
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

}  // namespace lambdad::gateway
