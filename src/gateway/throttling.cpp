#include "lambdad/gateway/throttling.hpp"

#include <cctype>
#include <cmath>

#include "lambdad/common/template_values.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

/// What a settings object sets: a limit of -1 (or below 0) is "not set".
struct Partial {
  std::optional<double> rate;
  std::optional<long long> burst;
};

Partial limits_in(const json& settings) {
  Partial out;
  if (auto rate = number_of(json_value(settings, "ThrottlingRateLimit")); rate && *rate >= 0) {
    out.rate = *rate;
  }
  if (auto burst = number_of(json_value(settings, "ThrottlingBurstLimit")); burst && *burst >= 0) {
    out.burst = static_cast<long long>(std::floor(*burst));
  }
  return out;
}

/// Each limit from the first of `candidates` (most specific first) that sets it.
std::optional<ThrottleLimits> merge(const std::vector<const json*>& candidates) {
  Partial merged;
  for (const json* settings : candidates) {
    const Partial p = limits_in(*settings);
    if (!merged.rate) merged.rate = p.rate;
    if (!merged.burst) merged.burst = p.burst;
  }
  if (!merged.rate && !merged.burst) return std::nullopt;
  ThrottleLimits limits;
  if (merged.rate) limits.rate = *merged.rate;
  if (merged.burst) limits.burst = *merged.burst;
  return limits;
}

std::optional<ThrottleLimits> rest_throttle(const Route& route) {
  const json& settings = json_value(route.api->properties, "MethodSettings");
  if (!settings.is_array()) return std::nullopt;
  // Four ranks: path+method, path+*, /*+method, /*+*.
  std::vector<const json*> ranked[4];
  for (const auto& entry : settings) {
    const std::string path = decode_resource_path(text_of(json_value(entry, "ResourcePath")));
    std::string method = text_of(json_value(entry, "HttpMethod"));
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool any_path = path == "/*" || path.empty();
    const bool any_method = method == "*" || method.empty();
    if ((!any_path && path != route.path) || (!any_method && method != route.method)) continue;
    ranked[(any_path ? 2 : 0) + (any_method ? 1 : 0)].push_back(&entry);
  }
  std::vector<const json*> candidates;
  for (const auto& rank : ranked) candidates.insert(candidates.end(), rank.begin(), rank.end());
  return merge(candidates);
}

std::optional<ThrottleLimits> http_throttle(const Route& route) {
  const json& own = json_value(route.properties, "RouteSettings");
  const json& by_key =
      json_value(json_value(route.api->properties, "RouteSettings"), route.route_key());
  const json& defaults = json_value(route.api->properties, "DefaultRouteSettings");
  return merge({&own, &by_key, &defaults});
}

}  // namespace

std::string decode_resource_path(std::string_view path) {
  // CloudFormation writes the root `/` then the path with its slashes escaped: /~1pets~1{id}.
  if (path.starts_with("/~1")) path.remove_prefix(1);
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '~' && i + 1 < path.size() && (path[i + 1] == '1' || path[i + 1] == '0')) {
      out.push_back(path[++i] == '1' ? '/' : '~');
    } else {
      out.push_back(path[i]);
    }
  }
  return out;
}

std::optional<ThrottleLimits> route_throttle(const Route& route) {
  return route.api->kind == ApiKind::kRest ? rest_throttle(route) : http_throttle(route);
}

}  // namespace lambdad::gateway
