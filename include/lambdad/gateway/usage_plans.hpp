#pragma once
/// @brief A template's API keys and usage plans, as API Gateway would have them after
/// deploying it: the `AWS::ApiGateway::ApiKey`, `UsagePlan` and `UsagePlanKey` resources, plus
/// what SAM generates for a REST API's `Auth.UsagePlan` (`PER_API`: `<api>UsagePlan`,
/// `<api>ApiKey`; `SHARED`: `ServerlessUsagePlan`, `ServerlessApiKey`, shared by every API that
/// asks for it, its throttle and quota from the first one that sets them; `NONE`: nothing).
///
/// A key without `Value` (every key SAM generates) gets a random 40-character value, which the
/// gateway prints in its log (see AccessState).
///
/// Thread safety: plain values, built once per deploy.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lambdad/common/function_config.hpp"
#include "lambdad/gateway/token_bucket.hpp"

namespace lambdad::gateway {

struct ApiKeyDef {
  std::string id;  ///< logical id
  std::string value;
  bool enabled = false;    ///< API Gateway creates keys disabled unless Enabled: true
  bool generated = false;  ///< the value was made up by lambdad (no Value in the template)
};

struct PlanStage {
  std::string api;    ///< the REST API's logical id
  std::string stage;  ///< its stage name
  /// ApiStages[].Throttle: per method, keyed `/path/METHOD` (e.g. `/pets/{id}/GET`).
  std::map<std::string, ThrottleLimits> methods;
};

struct UsagePlanDef {
  std::string id;  ///< logical id
  std::vector<PlanStage> stages;
  std::optional<ThrottleLimits> throttle;  ///< per key
  std::optional<QuotaLimits> quota;        ///< per key
  std::vector<std::string> keys;           ///< ApiKeyDef ids
};

struct UsagePlansDef {
  std::vector<ApiKeyDef> keys;
  std::vector<UsagePlanDef> plans;
  const ApiKeyDef* key(const std::string& id) const;
};

/// From the loader's typed resources and APIs (`Template::usage_plans`, each API's
/// `Auth.UsagePlan`). `generate(key id)`: the value of a key the template gives none.
UsagePlansDef read_usage_plans(const Template& tmpl,
                               const std::function<std::string(const std::string&)>& generate);

}  // namespace lambdad::gateway
