#include "lambdad/gateway/access.hpp"

#include <algorithm>
#include <set>

#include <openssl/rand.h>

#include "lambdad/common/ids.hpp"
#include "lambdad/gateway/jwt.hpp"
#include "lambdad/gateway/throttling.hpp"

namespace lambdad::gateway {

namespace asio = boost::asio;
using Outcome = std::variant<Admission, Denial>;

namespace {

constexpr size_t kGeneratedKeyLength = 40;  // what API Gateway generates

std::string random_key() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < kGeneratedKeyLength) {
    unsigned char bytes[64];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    for (unsigned char b : bytes) {
      // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
      if (b < 248 && out.size() < kGeneratedKeyLength) out.push_back(kAlphabet[b % 62]);
    }
  }
  return out;
}

/// Everything that sizes a key's counters in a plan: counters are kept across a redeploy only
/// while this stays the same.
std::string limits_text(const UsagePlanDef& plan) {
  std::string text;
  if (plan.throttle) text += plan.throttle->text();
  if (plan.quota) {
    text += "; quota " + std::to_string(plan.quota->limit) + "/" +
            quota_period_name(plan.quota->period) + " offset " + std::to_string(plan.quota->offset);
  }
  for (const auto& stage : plan.stages) {
    for (const auto& [method, limits] : stage.methods) {
      text += "; " + stage.api + " " + method + " " + limits.text();
    }
  }
  return text;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

Denial unauthorized(JwtError error) {
  if (error == JwtError::kMissing) {
    return {GatewayError::kUnauthorized, "", describe(error)};
  }
  return {GatewayError::kUnauthorized,
          std::string("Bearer scope=\"\" error=\"invalid_token\" error_description=\"") +
              describe(error) + "\"",
          describe(error)};
}

Denial insufficient_scope(const std::vector<std::string>& scopes) {
  return {GatewayError::kForbidden,
          "Bearer scope=\"" + joined(scopes, " ") +
              "\" error=\"insufficient_scope\" error_description=\"expected scopes: [" +
              joined(scopes, " ") + "]\"",
          describe(JwtError::kScope)};
}

}  // namespace

AccessState::AccessState(asio::any_io_executor io, JwksOptions jwks)
    : jwks_(std::move(io), std::move(jwks)) {}

std::string AccessState::generated_key(const std::string& key_id) {
  std::string& value = generated_[key_id];
  if (value.empty()) value.append(random_key());
  return value;
}

std::shared_ptr<KeyUsage> AccessState::usage(const UsagePlanDef& plan, const std::string& key) {
  std::erase_if(usage_, [](const auto& entry) { return entry.second.expired(); });
  const std::string id = plan.id + "\n" + key + "\n" + limits_text(plan);
  if (auto existing = usage_[id].lock()) return existing;
  auto fresh = std::make_shared<KeyUsage>();
  if (plan.throttle) fresh->throttle = std::make_unique<TokenBucket>(*plan.throttle);
  if (plan.quota) fresh->quota = std::make_unique<QuotaCounter>(*plan.quota, epoch_ms() / 1000);
  for (const auto& stage : plan.stages) {
    for (const auto& [method, limits] : stage.methods) {
      fresh->methods[stage.api][method] = std::make_unique<TokenBucket>(limits);
    }
  }
  usage_[id] = fresh;
  return fresh;
}

Access::Access(Routes& routes, const Template& tmpl, AccessState& state)
    : state_(state),
      plans_(
          read_usage_plans(tmpl, [&](const std::string& id) { return state.generated_key(id); })) {
  build_grants();
  std::map<std::string, std::vector<JwtAuthorizer>*> jwt;
  for (const ApiInfo& api : routes.apis) {
    if (api.kind == ApiKind::kHttp) {
      jwt[api.logical_id] = &authorizers_.emplace_back(read_jwt_authorizers(api));
    }
  }
  std::set<std::string> keyed_apis;
  for (Route& route : routes.routes) {
    build_route(route, jwt);
    if (route.access && route.access->api_key_required) keyed_apis.insert(route.api->logical_id);
  }
  for (const auto& api : keyed_apis) {
    const bool covered = std::any_of(grants_.begin(), grants_.end(),
                                     [&](const auto& g) { return g.second.contains(api); });
    if (!covered) {
      warnings_.push_back("api " + api +
                          " requires API keys, but no usage plan with an enabled key covers its "
                          "stage: its routes answer 403");
    }
  }
}

void Access::build_grants() {
  for (const UsagePlanDef& plan : plans_.plans) {
    for (const std::string& key_id : plan.keys) {
      const ApiKeyDef* key = plans_.key(key_id);
      if (!key || !key->enabled) continue;
      auto usage = state_.usage(plan, key->id);
      for (const PlanStage& stage : plan.stages) {
        grants_[key->value].try_emplace(stage.api, Grant{key, usage});
      }
    }
  }
  for (const ApiKeyDef& key : plans_.keys) {
    if (!key.generated) continue;
    std::string where;
    for (const UsagePlanDef& plan : plans_.plans) {
      if (std::find(plan.keys.begin(), plan.keys.end(), key.id) == plan.keys.end()) continue;
      for (const auto& stage : plan.stages) {
        where += (where.empty() ? "" : ", ") + stage.api + "/" + stage.stage;
      }
    }
    notes_.push_back("API key " + key.id + " (no Value in the template; " +
                     (where.empty() ? std::string("in no usage plan") : "for " + where) +
                     "): x-api-key: " + key.value);
  }
}

void Access::build_route(Route& route,
                         const std::map<std::string, std::vector<JwtAuthorizer>*>& jwt) {
  RouteAccess access;
  const api::Auth& api_auth = route.api->settings.auth;
  if (route.api->kind == ApiKind::kHttp) {
    access.jwt = route_jwt(route, *jwt.at(route.api->logical_id));
  } else {
    const bool api_wide = api_auth.api_key_required;
    if (route.cors_mock) {
      // SAM puts the API's key requirement on its CORS preflight methods too, unless told not to.
      access.api_key_required = api_wide && api_auth.api_key_on_preflight;
    } else {
      // The event's Auth.ApiKeyRequired (a document route's x-api-key security), else the API's.
      access.api_key_required = route.api_key_required.value_or(api_wide);
    }
    access.key_from_authorizer = route.api->api_key_source == "AUTHORIZER";
  }
  if (auto limits = route_throttle(route)) {
    access.throttle = std::make_unique<TokenBucket>(*limits);
  }
  if (!access.jwt && !access.api_key_required && !access.throttle) return;
  route.access = &routes_.emplace_back(std::move(access));
}

asio::awaitable<Outcome> Access::check(const Route& route, const GatewayRequest& request,
                                       const std::string* authorizer_key) const {
  const RouteAccess* access = route.access;
  Admission admission;
  if (!access) co_return admission;
  if (access->api_key_required) {
    if (auto denial = check_key(route, request, authorizer_key, admission)) co_return *denial;
  }
  if (access->throttle && !access->throttle->try_take(steady_now())) {
    co_return Denial{GatewayError::kThrottled, "",
                     "the route's throttle (" + access->throttle->limits().text() + ")"};
  }
  if (access->jwt) co_return co_await check_jwt(route, *access->jwt, request);
  co_return admission;
}

std::optional<Denial> Access::check_key(const Route& route, const GatewayRequest& request,
                                        const std::string* authorizer_key,
                                        Admission& admission) const {
  // With ApiKeySourceType AUTHORIZER, API Gateway ignores x-api-key altogether: a valid header
  // key does not stand in for a missing usageIdentifierKey.
  const bool from_authorizer = route.access->key_from_authorizer;
  const std::string* value = from_authorizer ? authorizer_key : request.header("x-api-key");
  if (!value) {
    std::string why = "no x-api-key header";
    if (from_authorizer && route.authorizer) {
      why = "the Lambda authorizer gave no usageIdentifierKey";
    } else if (from_authorizer) {
      why = "no Lambda authorizer to give the API key (ApiKeySourceType: AUTHORIZER)";
    }
    return Denial{GatewayError::kForbidden, "", std::move(why)};
  }
  const Grant* grant = nullptr;
  if (auto key = grants_.find(*value); key != grants_.end()) {
    auto it = key->second.find(route.api->logical_id);
    if (it != key->second.end()) grant = &it->second;
  }
  if (!grant) {
    return Denial{
        GatewayError::kForbidden, "",
        std::string(from_authorizer ? "the authorizer's usageIdentifierKey" : "the x-api-key") +
            " is not an enabled key of a usage plan of this API stage"};
  }
  KeyUsage& usage = *grant->usage;
  // A per-method throttle of the plan's stage replaces the plan's own for that method.
  TokenBucket* bucket = usage.throttle.get();
  if (auto stage = usage.methods.find(route.api->logical_id); stage != usage.methods.end()) {
    if (auto it = stage->second.find(route.path + "/" + route.method); it != stage->second.end()) {
      bucket = it->second.get();
    }
  }
  if (bucket && !bucket->try_take(steady_now())) {
    return Denial{GatewayError::kThrottled, "",
                  "API key " + grant->key->id + " throttled (" + bucket->limits().text() + ")"};
  }
  if (usage.quota && !usage.quota->try_take(request.time_epoch_ms / 1000)) {
    return Denial{GatewayError::kQuotaExceeded, "",
                  "API key " + grant->key->id + " used its quota of " +
                      std::to_string(usage.quota->limits().limit) + " per " +
                      quota_period_name(usage.quota->limits().period)};
  }
  admission.api_key = grant->key;
  return std::nullopt;
}

asio::awaitable<Outcome> Access::check_jwt(const Route& route, const JwtRoute& jwt,
                                           const GatewayRequest& request) const {
  const JwtAuthorizer& authorizer = *jwt.authorizer;
  auto token = identity_token(authorizer, request);
  if (!token) co_return unauthorized(JwtError::kMissing);
  auto decoded = decode_jwt(*token);
  if (!decoded) co_return unauthorized(JwtError::kMalformed);
  if (!supported_alg(decoded->alg)) co_return unauthorized(JwtError::kAlgorithm);
  auto keys = co_await state_.jwks().keys(authorizer.issuer, decoded->kid, decoded->alg);
  if (!keys) co_return unauthorized(JwtError::kKeysUnavailable);
  const JwtRules rules{authorizer.issuer, authorizer.audiences, jwt.scopes,
                       request.time_epoch_ms / 1000};
  const JwtError error = verify_jwt(*decoded, *keys, rules);
  if (error == JwtError::kScope) co_return insufficient_scope(jwt.scopes);
  if (error != JwtError::kNone) co_return unauthorized(error);
  const auto scopes = token_scopes(decoded->claims);
  Admission admission;
  admission.authorizer = jwt_context(route.payload, event_claims(decoded->claims),
                                     jwt.scopes.empty() ? nullptr : &scopes);
  co_return admission;
}

}  // namespace lambdad::gateway
