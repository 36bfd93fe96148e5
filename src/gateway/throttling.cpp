#include "lambdad/gateway/throttling.hpp"

namespace lambdad::gateway {

namespace {

/// Each limit from the first of `candidates` (most specific first) that sets it.
std::optional<ThrottleLimits> merge(const std::vector<const api::Throttle*>& candidates) {
  api::Throttle merged;
  for (const api::Throttle* settings : candidates) {
    if (!merged.rate) merged.rate = settings->rate;
    if (!merged.burst) merged.burst = settings->burst;
  }
  if (merged.empty()) return std::nullopt;
  ThrottleLimits limits;
  if (merged.rate) limits.rate = *merged.rate;
  if (merged.burst) limits.burst = *merged.burst;
  return limits;
}

std::optional<ThrottleLimits> rest_throttle(const Route& route) {
  // Four ranks: path+method, path+*, /*+method, /*+*.
  std::vector<const api::Throttle*> ranked[4];
  for (const api::MethodSetting& entry : route.api->settings.method_settings) {
    const bool any_path = entry.path == "/*" || entry.path.empty();
    const bool any_method = entry.method == "*" || entry.method.empty();
    if ((!any_path && entry.path != route.path) || (!any_method && entry.method != route.method)) {
      continue;
    }
    ranked[(any_path ? 2 : 0) + (any_method ? 1 : 0)].push_back(&entry.throttle);
  }
  std::vector<const api::Throttle*> candidates;
  for (const auto& rank : ranked) candidates.insert(candidates.end(), rank.begin(), rank.end());
  return merge(candidates);
}

std::optional<ThrottleLimits> http_throttle(const Route& route) {
  static const api::Throttle kNone;
  const api::ApiSettings& settings = route.api->settings;
  auto by_key = settings.route_throttles.find(route.route_key());
  return merge({&route.throttle,
                by_key == settings.route_throttles.end() ? &kNone : &by_key->second,
                &settings.default_route_throttle});
}

}  // namespace

std::optional<ThrottleLimits> route_throttle(const Route& route) {
  return route.api->kind == ApiKind::kRest ? rest_throttle(route) : http_throttle(route);
}

}  // namespace lambdad::gateway
