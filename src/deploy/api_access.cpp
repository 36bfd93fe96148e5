#include "api_access.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "api_settings_reader.hpp"

namespace lambdad::deploy {

namespace {

using Keys = std::set<std::string, std::less<>>;

// The keys SAM and CloudFormation define for each map (unknown ones are errors, as in SAM).
const Keys kRestAuth = {"AddApiKeyRequiredToCorsPreflight",
                        "AddDefaultAuthorizerToCorsPreflight",
                        "ApiKeyRequired",
                        "Authorizers",
                        "DefaultAuthorizer",
                        "InvokeRole",
                        "ResourcePolicy",
                        "UsagePlan"};
const Keys kHttpAuth = {"Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"};
const Keys kRestEventAuth = {"ApiKeyRequired", "AuthorizationScopes", "Authorizer",
                             "InvokeRole",     "OverrideApiAuth",     "ResourcePolicy"};
const Keys kHttpEventAuth = {"Authorizer", "AuthorizationScopes"};
const Keys kJwtAuthorizer = {"AuthorizationScopes", "IdentitySource", "JwtConfiguration"};
const Keys kJwtConfiguration = {"issuer", "audience", "Issuer", "Audience"};
const Keys kSamUsagePlan = {"CreateUsagePlan", "Description",  "Quota", "Tags",
                            "Throttle",        "UsagePlanName"};
const Keys kCreateUsagePlan = {"PER_API", "SHARED", "NONE"};
const Keys kQuota = {"Limit", "Offset", "Period"};
const Keys kPeriods = {"DAY", "WEEK", "MONTH"};
const Keys kThrottle = {"BurstLimit", "RateLimit"};
const Keys kMethodSetting = {"CacheDataEncrypted", "CacheTtlInSeconds", "CachingEnabled",
                             "DataTraceEnabled",   "HttpMethod",        "LoggingLevel",
                             "MetricsEnabled",     "ResourcePath",      "ThrottlingBurstLimit",
                             "ThrottlingRateLimit"};
const Keys kRouteSettings = {"DataTraceEnabled", "DetailedMetricsEnabled", "LoggingLevel",
                             "ThrottlingBurstLimit", "ThrottlingRateLimit"};
const Keys kApiKey = {"CustomerId", "Description", "Enabled", "GenerateDistinctId",
                      "Name",       "StageKeys",   "Tags",    "Value"};
const Keys kUsagePlan = {"ApiStages", "Description", "Quota", "Tags", "Throttle", "UsagePlanName"};
const Keys kApiStage = {"ApiId", "Stage", "Throttle"};
const Keys kUsagePlanKey = {"KeyId", "KeyType", "UsagePlanId"};
const Keys kApiKeySources = {"AUTHORIZER", "HEADER"};

/// API Gateway refuses API key values shorter than this.
constexpr size_t kMinApiKeyLength = 20;

std::string joined(const Keys& keys) {
  std::string out;
  for (const auto& key : keys) out += (out.empty() ? "" : ", ") + key;
  return out;
}

/// Shape checks on one map of a template, each failure reported at its own line.
class Checker {
 public:
  Checker(std::string who, LoadContext& ctx) : who_(std::move(who)), ctx_(ctx) {}
  bool ok() const { return ok_; }

  void fail(int line, const std::string& message) {
    ctx_.error(line, who_, message);
    ok_ = false;
  }

  /// The map at `key` of `parent` (nullptr when absent, or reported when not a map).
  const Node* map(const Node& parent, std::string_view key, const std::string& what) {
    const Node* node = parent.find(key);
    if (!node || node->is_null() || node->is_invalid()) return nullptr;
    if (!node->is_map() || is_intrinsic(*node)) {
      fail(node->line, what + " must be a map, got " + describe(*node));
      return nullptr;
    }
    return node;
  }

  void keys(const Node& map, const std::string& what, const Keys& known) {
    for (const auto& entry : map.entries) {
      if (known.contains(entry.key)) continue;
      fail(entry.value.line,
           what + ": unknown property '" + entry.key + "' (known: " + joined(known) + ")");
    }
  }

  void boolean(const Node& map, std::string_view key, const std::string& what) {
    const Node* value = map.find(key);
    if (value && !value->is_invalid() && !to_bool(*value)) {
      fail(value->line, what + "." + std::string(key) + " must be true or false");
    }
  }

  void integer(const Node& map, std::string_view key, const std::string& what, long long min) {
    const Node* value = map.find(key);
    if (!value || value->is_invalid()) return;
    auto number = to_integer(*value);
    if (!number || *number < min) {
      fail(value->line, what + "." + std::string(key) + " must be a whole number of at least " +
                            std::to_string(min) + ", got " + describe(*value));
    }
  }

  void number(const Node& map, std::string_view key, const std::string& what) {
    const Node* value = map.find(key);
    if (!value || value->is_invalid()) return;
    auto text = to_text(*value);
    char* end = nullptr;
    const double parsed = text ? std::strtod(text->c_str(), &end) : -1;
    if (!text || text->empty() || *end != '\0' || parsed < 0) {
      fail(value->line, what + "." + std::string(key) + " must be a number of at least 0, got " +
                            describe(*value));
    }
  }

  /// A string property; nullopt when absent or wrong (reported when wrong or `required`).
  std::optional<std::string> string(const Node& map, std::string_view key, const std::string& what,
                                    bool required = false) {
    const Node* value = map.find(key);
    if (!value || value->is_null()) {
      if (required) fail(map.line, what + ": " + std::string(key) + " is required");
      return std::nullopt;
    }
    if (value->is_invalid()) return std::nullopt;
    if (!value->is_scalar() || value->unresolved) {
      fail(value->line,
           what + "." + std::string(key) + " must be a string, got " + describe(*value));
      return std::nullopt;
    }
    return value->text;
  }

  void one_of(const Node& map, std::string_view key, const std::string& what, const Keys& values,
              bool required = false) {
    auto value = string(map, key, what, required);
    if (value && !values.contains(*value)) {
      fail(map.find(key)->line, what + "." + std::string(key) + " must be one of " +
                                    joined(values) + ", got '" + *value + "'");
    }
  }

  /// A list of strings (a single string is taken as a list of one when `single_ok`).
  void string_list(const Node& map, std::string_view key, const std::string& what,
                   bool single_ok = false) {
    const Node* value = map.find(key);
    if (!value || value->is_invalid()) return;
    if (single_ok && value->is_scalar() && !value->unresolved) return;
    bool ok = value->is_list();
    for (const Node& item : value->items) ok = ok && item.is_scalar() && !item.unresolved;
    if (!ok) fail(value->line, what + "." + std::string(key) + " must be a list of strings");
  }

  void throttle(const Node& parent, std::string_view key, const std::string& what) {
    if (const Node* t = map(parent, key, what + "." + std::string(key))) {
      const std::string inner = what + "." + std::string(key);
      keys(*t, inner, kThrottle);
      integer(*t, "BurstLimit", inner, 0);
      number(*t, "RateLimit", inner);
    }
  }

  void quota(const Node& parent, const std::string& what) {
    const Node* q = map(parent, "Quota", what + ".Quota");
    if (!q) return;
    const std::string inner = what + ".Quota";
    keys(*q, inner, kQuota);
    integer(*q, "Limit", inner, 0);
    integer(*q, "Offset", inner, 0);
    one_of(*q, "Period", inner, kPeriods);
    if (!q->find("Limit") || !q->find("Period")) fail(q->line, inner + " needs Limit and Period");
  }

  /// ThrottlingBurstLimit / ThrottlingRateLimit of MethodSettings and route settings.
  void route_throttle(const Node& settings, const std::string& what, const Keys& known) {
    keys(settings, what, known);
    integer(settings, "ThrottlingBurstLimit", what, -1);
    const Node* rate = settings.find("ThrottlingRateLimit");
    if (rate && to_integer(*rate) != -1) number(settings, "ThrottlingRateLimit", what);
  }

 private:
  std::string who_;
  LoadContext& ctx_;
  bool ok_ = true;
};

void check_jwt_authorizer(Checker& c, const std::string& name, const Node& authorizer) {
  const std::string what = "Auth.Authorizers." + name;
  // A Lambda authorizer (FunctionArn) has its own reader.
  if (authorizer.find("FunctionArn")) return;
  c.keys(authorizer, what, kJwtAuthorizer);
  c.string_list(authorizer, "AuthorizationScopes", what);
  if (auto source = c.string(authorizer, "IdentitySource", what)) {
    if (!source->starts_with("$request.header.") && !source->starts_with("$request.querystring.")) {
      c.fail(authorizer.find("IdentitySource")->line,
             what + ".IdentitySource must be $request.header.NAME or $request.querystring.NAME");
    }
  }
  const Node* config = c.map(authorizer, "JwtConfiguration", what + ".JwtConfiguration");
  if (!config) {
    if (!authorizer.find("JwtConfiguration")) {
      c.fail(authorizer.line, what +
                                  " needs JwtConfiguration (a JWT authorizer) or FunctionArn "
                                  "(a Lambda authorizer)");
    }
    return;
  }
  const std::string inner = what + ".JwtConfiguration";
  c.keys(*config, inner, kJwtConfiguration);
  // SAM's docs write issuer / audience, CloudFormation's Issuer / Audience: either.
  c.string(*config, config->find("Issuer") ? "Issuer" : "issuer", inner, true);
  c.string_list(*config, config->find("Audience") ? "Audience" : "audience", inner, true);
}

void check_http_auth(Checker& c, const Node& auth) {
  c.keys(auth, "Auth", kHttpAuth);
  c.boolean(auth, "EnableIamAuthorizer", "Auth");
  const Node* authorizers = c.map(auth, "Authorizers", "Auth.Authorizers");
  if (authorizers) {
    for (const auto& [name, authorizer] : authorizers->entries) {
      if (!authorizer.is_map()) {
        c.fail(authorizer.line, "Auth.Authorizers." + name + " must be a map");
      } else {
        check_jwt_authorizer(c, name, authorizer);
      }
    }
  }
}

void check_rest_auth(Checker& c, const Node& auth) {
  c.keys(auth, "Auth", kRestAuth);
  c.boolean(auth, "ApiKeyRequired", "Auth");
  c.boolean(auth, "AddApiKeyRequiredToCorsPreflight", "Auth");
  const Node* plan = c.map(auth, "UsagePlan", "Auth.UsagePlan");
  if (!plan) return;
  c.keys(*plan, "Auth.UsagePlan", kSamUsagePlan);
  c.one_of(*plan, "CreateUsagePlan", "Auth.UsagePlan", kCreateUsagePlan, true);
  c.string(*plan, "UsagePlanName", "Auth.UsagePlan");
  c.quota(*plan, "Auth.UsagePlan");
  c.throttle(*plan, "Throttle", "Auth.UsagePlan");
}

void check_method_settings(Checker& c, const Node& properties) {
  const Node* settings = properties.find("MethodSettings");
  if (!settings || settings->is_invalid()) return;
  if (!settings->is_list()) {
    c.fail(settings->line, "MethodSettings must be a list, got " + describe(*settings));
    return;
  }
  for (const Node& item : settings->items) {
    if (!item.is_map()) {
      c.fail(item.line, "MethodSettings entries must be maps");
      continue;
    }
    c.route_throttle(item, "MethodSettings", kMethodSetting);
    if (auto path = c.string(item, "ResourcePath", "MethodSettings");
        path && !path->starts_with("/")) {
      c.fail(item.find("ResourcePath")->line,
             "MethodSettings.ResourcePath must start with / (e.g. /* or /~1pets~1{id})");
    }
    c.string(item, "HttpMethod", "MethodSettings");
  }
}

void check_route_settings(Checker& c, const Node& properties) {
  if (const Node* defaults = c.map(properties, "DefaultRouteSettings", "DefaultRouteSettings")) {
    c.route_throttle(*defaults, "DefaultRouteSettings", kRouteSettings);
  }
  if (const Node* routes = c.map(properties, "RouteSettings", "RouteSettings")) {
    for (const auto& [route_key, settings] : routes->entries) {
      if (!settings.is_map()) {
        c.fail(settings.line, "RouteSettings." + route_key + " must be a map");
      } else {
        c.route_throttle(settings, "RouteSettings." + route_key, kRouteSettings);
      }
    }
  }
}

/// REST `ApiKeySourceType`. CloudFormation's enum is case-sensitive, so `header` is refused.
void check_key_source(Checker& c, const Node& properties, bool rest) {
  const Node* source = properties.find("ApiKeySourceType");
  if (!source || source->is_null() || source->is_invalid()) return;
  // On an HttpApi, SAM's property list (sam_properties.cpp) already refuses it.
  if (!rest) return;
  if (source->is_scalar() && !source->unresolved && kApiKeySources.contains(source->text)) return;
  const std::string got =
      source->is_scalar() && !source->unresolved ? "'" + source->text + "'" : describe(*source);
  c.fail(source->line, "ApiKeySourceType must be HEADER or AUTHORIZER, got " + got);
}

/// `Auth` when it is a map (api_auth.hpp reports it otherwise).
const Node* auth_map(const Node& properties) {
  const Node* auth = properties.find("Auth");
  return auth && auth->is_map() && !is_intrinsic(*auth) ? auth : nullptr;
}

}  // namespace

void check_api_access(const Node& properties, bool rest, const std::string& who, LoadContext& ctx) {
  Checker c(who, ctx);
  if (const Node* auth = auth_map(properties)) {
    rest ? check_rest_auth(c, *auth) : check_http_auth(c, *auth);
  }
  rest ? check_method_settings(c, properties) : check_route_settings(c, properties);
  check_key_source(c, properties, rest);
}

bool check_event_access(const Node& properties, bool rest, const std::string& who,
                        LoadContext& ctx) {
  Checker c(who, ctx);
  if (const Node* auth = auth_map(properties)) {
    c.keys(*auth, "Auth", rest ? kRestEventAuth : kHttpEventAuth);
    c.boolean(*auth, "ApiKeyRequired", "Auth");
    c.string_list(*auth, "AuthorizationScopes", "Auth");
  }
  if (!rest) {
    if (const Node* settings = c.map(properties, "RouteSettings", "RouteSettings")) {
      c.route_throttle(*settings, "RouteSettings", kRouteSettings);
    }
  }
  return c.ok();
}

bool is_usage_plan_type(std::string_view type) {
  return type == kApiKeyType || type == kUsagePlanType || type == kUsagePlanKeyType;
}

void read_usage_plan_resource(const std::string& logical_id, const std::string& type, int line,
                              const Node& properties, LoadContext& ctx,
                              api::UsagePlanResources& out) {
  Checker c("resource '" + logical_id + "'", ctx);
  if (type == kApiKeyType) {
    c.keys(properties, "properties", kApiKey);
    c.boolean(properties, "Enabled", "ApiKey");
    if (const Node* value = properties.find("Value"); value && value->unresolved) {
      // A value from a custom resource or a secret: only AWS knows it.
      ctx.warning(value->line, "resource '" + logical_id + "'",
                  "ApiKey.Value " + ctx.resolver.unresolved_reason(*value) +
                      "; a random key is used instead (printed in the server log)");
    } else if (auto value = c.string(properties, "Value", "ApiKey");
               value && value->size() < kMinApiKeyLength) {
      c.fail(properties.find("Value")->line, "ApiKey.Value must have at least 20 characters");
    }
    if (const Node* enabled = properties.find("Enabled");
        !enabled || !to_bool(*enabled).value_or(false)) {
      ctx.warning(line, "resource '" + logical_id + "'",
                  "the API key is not Enabled: true, so API Gateway refuses it (403)");
    }
  } else if (type == kUsagePlanType) {
    c.keys(properties, "properties", kUsagePlan);
    c.quota(properties, "UsagePlan");
    c.throttle(properties, "Throttle", "UsagePlan");
    if (const Node* stages = properties.find("ApiStages"); stages && !stages->is_invalid()) {
      for (const Node& stage : stages->items) {
        if (!stage.is_map()) {
          c.fail(stage.line, "UsagePlan.ApiStages entries must be maps");
          continue;
        }
        c.keys(stage, "UsagePlan.ApiStages", kApiStage);
        c.string(stage, "ApiId", "UsagePlan.ApiStages", true);
        c.string(stage, "Stage", "UsagePlan.ApiStages", true);
        if (const Node* methods = c.map(stage, "Throttle", "UsagePlan.ApiStages.Throttle")) {
          for (const auto& [method, limits] : methods->entries) {
            if (limits.is_map()) {
              c.keys(limits, "UsagePlan.ApiStages.Throttle." + method, kThrottle);
            } else {
              c.fail(limits.line, "UsagePlan.ApiStages.Throttle." + method + " must be a map");
            }
          }
        }
      }
      if (!stages->is_list()) c.fail(stages->line, "UsagePlan.ApiStages must be a list");
    }
  } else {
    c.keys(properties, "properties", kUsagePlanKey);
    c.string(properties, "KeyId", "UsagePlanKey", true);
    c.string(properties, "UsagePlanId", "UsagePlanKey", true);
    c.one_of(properties, "KeyType", "UsagePlanKey", {"API_KEY"}, true);
  }
  read_usage_plan_settings(logical_id, type, line, to_json(properties), out);
}

void check_access_links(const Template& tmpl, Problems& problems) {
  const api::UsagePlanResources& resources = tmpl.usage_plans;
  std::set<std::string> keys, plans;
  for (const auto& key : resources.keys) keys.insert(key.id);
  for (const auto& plan : resources.plans) plans.insert(plan.id);
  std::map<std::string, const ApiConfig*> apis;
  for (const auto& api : tmpl.apis) apis[api.logical_id] = &api;
  auto link = [&](const api::UsagePlanKey& r, const char* key, const std::string& id,
                  const std::set<std::string>& ids, std::string_view type) {
    if (!id.empty() && !ids.contains(id)) {
      problems.error(r.line, "resource '" + r.id + "': " + key + " must be a Ref to an " +
                                 std::string(type) + " of this template");
    }
  };
  for (const auto& r : resources.plan_keys) {
    link(r, "KeyId", r.key, keys, kApiKeyType);
    link(r, "UsagePlanId", r.plan, plans, kUsagePlanType);
  }
  for (const auto& plan : resources.plans) {
    for (const auto& stage : plan.stages) {
      auto api = apis.find(stage.api);
      if (api == apis.end()) {
        // An AWS::ApiGateway::RestApi (or an API of another stack): lambdad does not serve it.
        problems.warning(plan.line, "resource '" + plan.id + "': ApiStages.ApiId '" + stage.api +
                                        "' is not an AWS::Serverless::Api of this template, which "
                                        "lambdad does not serve; that stage is ignored");
      } else if (api->second->type != "AWS::Serverless::Api") {
        problems.error(plan.line, "resource '" + plan.id +
                                      "': ApiStages.ApiId must be a Ref to an AWS::Serverless::Api "
                                      "of this template");
      } else if (stage.stage != api->second->stage_name) {
        problems.error(plan.line, "resource '" + plan.id + "': ApiStages.Stage '" + stage.stage +
                                      "' is not the stage of api '" + api->first + "' (" +
                                      api->second->stage_name + ")");
      }
    }
  }
}

void check_authorizer_keys(const Template& tmpl, Problems& problems) {
  std::map<std::string, const ApiConfig*> apis;
  for (const auto& api : tmpl.apis) {
    if (api.settings.api_key_source == "AUTHORIZER") apis[api.logical_id] = &api;
  }
  if (apis.empty()) return;
  for (const auto& function : tmpl.functions) {
    for (const auto& event : function.events) {
      if (event.type != "Api" || !event.route) continue;
      auto api = apis.find(event.route->api);
      if (api == apis.end()) continue;
      const api::Auth& auth = api->second->settings.auth;
      const bool key_required = event.route->api_key_required.value_or(auth.api_key_required);
      // The gateway's choice of authorizer (authorizer_config.hpp): the event's, else the
      // API's default; only a Lambda one can hand out a usageIdentifierKey.
      const std::string& name =
          event.route->authorizer.empty() ? auth.default_authorizer : event.route->authorizer;
      const bool lambda_authorizer =
          std::any_of(auth.lambda_authorizers.begin(), auth.lambda_authorizers.end(),
                      [&](const api::LambdaAuthorizer& a) { return a.name == name; });
      if (!key_required || lambda_authorizer) continue;
      problems.warning(event.line, "function '" + function.logical_id + "': event '" + event.name +
                                       "': api '" + api->first +
                                       "' takes API keys from a Lambda authorizer "
                                       "(ApiKeySourceType: AUTHORIZER), but this route requires "
                                       "a key and has no Lambda authorizer: it answers 403");
    }
  }
}

}  // namespace lambdad::deploy
