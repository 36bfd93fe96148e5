#include "lambdad/gateway/routes.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lambdad::gateway {

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

/// A scalar property as text (the loader keeps YAML scalars typed: `1.0` is a number).
std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d))) {
      return std::to_string(static_cast<long long>(d)) + ".0";
    }
  }
  if (value.is_null()) return "";
  return value.dump();
}

/// `Variables` (REST) / `StageVariables` (HTTP API): an object of strings, or null when empty.
nlohmann::json stage_variables(const nlohmann::json& properties, const char* key) {
  auto it = properties.find(key);
  if (it == properties.end() || !it->is_object() || it->empty()) return nullptr;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : it->items()) out[name] = scalar_text(value);
  return out;
}

std::vector<std::string> binary_media_types(const nlohmann::json& properties) {
  std::vector<std::string> out;
  auto it = properties.find("BinaryMediaTypes");
  if (it == properties.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    std::string type = scalar_text(item);
    // SAM writes `/` as `~1` (a JSON-pointer escape), e.g. image~1png.
    for (size_t at; (at = type.find("~1")) != std::string::npos;) type.replace(at, 2, "/");
    out.push_back(std::move(type));
  }
  return out;
}

std::chrono::milliseconds integration_timeout(const nlohmann::json& properties, ApiKind kind) {
  const auto fallback = kind == ApiKind::kRest ? kRestIntegrationTimeout : kHttpIntegrationTimeout;
  auto it = properties.find("TimeoutInMillis");
  if (it == properties.end()) return fallback;
  long long millis = 0;
  if (it->is_number_integer()) {
    millis = it->get<long long>();
  } else {
    try {
      millis = std::stoll(scalar_text(*it));
    } catch (const std::exception&) {
      return fallback;
    }
  }
  if (millis < 50) return fallback;
  return std::min(std::chrono::milliseconds(millis), fallback);
}

/// SAM's CORS for REST APIs: an `OPTIONS` mock on every path of an API with `Cors`, unless the
/// path already has an `OPTIONS` method (of any API: they share the port).
void add_cors_mocks(Routes& routes) {
  std::set<std::string> with_options;
  std::map<std::pair<const ApiInfo*, std::string>, std::vector<std::string>> methods;
  for (const Route& route : routes.routes) {
    if (route.is_default) continue;
    if (route.method == "OPTIONS") with_options.insert(route.path);
    if (route.api->kind == ApiKind::kRest && route.api->cors) {
      methods[{route.api, route.path}].push_back(route.method);
    }
  }
  for (const auto& [key, path_methods] : methods) {
    if (with_options.contains(key.second)) continue;
    Route& mock = routes.routes.emplace_back();
    mock.api = key.first;
    mock.method = "OPTIONS";
    mock.path = key.second;
    mock.cors_mock = true;
    mock.cors_methods = rest_path_methods(path_methods);
    mock.authorizer = preflight_authorizer(mock.api->auth);
    mock.resource_id = stable_id(mock.api->logical_id + " " + mock.path, 6);
    mock.event = mock.api->logical_id + ".Cors";
    routes.table.add(mock);
  }
}

/// What an API takes from its OpenAPI document besides routes: Lambda authorizers (an `Auth`
/// authorizer of the same name wins, as SAM's replaces the document's), the API key source and
/// HTTP API CORS (`CorsConfiguration` wins).
void add_document_settings(const std::shared_ptr<const openapi::Definition>& document, ApiInfo& api,
                           Routes& routes) {
  routes.documents.push_back(document);  // Route::integration points into it
  const openapi::Definition& doc = *document;
  for (const openapi::Authorizer& spec : doc.authorizers) {
    if (api.auth.find(spec.name)) continue;
    api.auth.authorizers.push_back(authorizer_from_openapi(api.logical_id, spec));
  }
  if (api.api_key_source.empty()) api.api_key_source = doc.api_key_source;
  if (!api.cors && doc.cors && api.kind == ApiKind::kHttp) {
    api.cors = cors_from_openapi(*doc.cors);
    if (!routes.http_cors) routes.http_cors = &api;
  }
}

void add_document_routes(const openapi::Definition& doc, const ApiInfo& api, Routes& routes) {
  static const nlohmann::json kNoProperties = nlohmann::json::object();
  for (const openapi::Route& spec : doc.routes) {
    Route& route = routes.routes.emplace_back();
    route.api = &api;
    route.integration = &spec.integration;
    route.method = spec.method;
    route.path = spec.path;
    route.is_default = api.kind == ApiKind::kHttp && spec.path == "$default";
    const bool lambda = spec.integration.type == openapi::IntegrationType::kLambdaProxy;
    if (lambda) route.function = spec.integration.function;
    route.payload = lambda && spec.integration.payload_v2 ? PayloadVersion::k2 : PayloadVersion::k1;
    const auto limit =
        api.kind == ApiKind::kRest ? kRestIntegrationTimeout : kHttpIntegrationTimeout;
    route.timeout = spec.integration.timeout ? std::min(*spec.integration.timeout, limit) : limit;
    route.resource_id = stable_id(api.logical_id + " " + route.path, 6);
    route.event = api.logical_id + " " + doc.source;
    route.line = spec.line;
    route.authorizer = spec.authorizer.empty() ? route_authorizer(api.auth, kNoProperties)
                                               : api.auth.find(spec.authorizer);
    if (spec.api_key_required) route.api_key_required = true;
    route.properties = kNoProperties;
    if (const Route* replaced = routes.table.add(route)) {
      routes.warnings.push_back("route " + route.route_key() + " of " + route.event + " (line " +
                                std::to_string(route.line) + ") replaces " + replaced->event +
                                " (line " + std::to_string(replaced->line) + ", api " +
                                replaced->api->logical_id + "): the later route wins");
    }
  }
}

}  // namespace

std::string stable_id(std::string_view seed, size_t length) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(length);
  for (char c : seed) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  for (size_t i = 0; i < length; ++i) {
    hash = (hash ^ i) * 1099511628211ULL;
    out.push_back(kAlphabet[(hash >> 29) % 36]);
  }
  return out;
}

std::unique_ptr<Routes> build_routes(const Template& tmpl) {
  auto routes = std::make_unique<Routes>();
  std::map<std::string, const ApiInfo*> by_id;
  for (const ApiConfig& config : tmpl.apis) {
    ApiInfo& api = routes->apis.emplace_back();
    api.logical_id = config.logical_id;
    api.kind = config.type == "AWS::Serverless::HttpApi" ? ApiKind::kHttp : ApiKind::kRest;
    api.id = stable_id(config.logical_id, 10);
    api.stage = config.stage_name;
    const nlohmann::json& properties =
        config.properties.is_object() ? config.properties : nlohmann::json::object();
    api.stage_variables =
        stage_variables(properties, api.kind == ApiKind::kRest ? "Variables" : "StageVariables");
    if (api.kind == ApiKind::kRest) api.binary_media_types = binary_media_types(properties);
    api.properties = properties;
    api.cors =
        api.kind == ApiKind::kRest ? parse_rest_cors(properties) : parse_http_cors(properties);
    if (api.cors && api.kind == ApiKind::kHttp && !routes->http_cors) routes->http_cors = &api;
    api.auth =
        parse_api_auth(api.logical_id, api.kind == ApiKind::kHttp, properties, routes->warnings);
    api.api_key_source = scalar_text(properties.value("ApiKeySourceType", nlohmann::json("")));
    if (config.openapi) add_document_settings(config.openapi, api, *routes);
    by_id[api.logical_id] = &api;
    if (api.kind == ApiKind::kHttp) routes->has_http_api = true;
  }
  // The documents' routes first: an event of the same method and path replaces one (SAM merges
  // the events into the document).
  for (const ApiInfo& api : routes->apis) {
    for (const ApiConfig& config : tmpl.apis) {
      if (config.logical_id == api.logical_id && config.openapi) {
        add_document_routes(*config.openapi, api, *routes);
      }
    }
  }
  for (const FunctionConfig& function : tmpl.functions) {
    for (const EventSource& event : function.events) {
      if (event.type != "Api" && event.type != "HttpApi") continue;
      const bool rest = event.type == "Api";
      const nlohmann::json& p = event.properties;
      auto api = by_id.find(p.value(rest ? "RestApiId" : "ApiId", ""));
      if (api == by_id.end()) continue;  // the loader links every event to an API
      Route& route = routes->routes.emplace_back();
      route.api = api->second;
      route.function = function.name;
      route.method = upper(scalar_text(p.value("Method", nlohmann::json("ANY"))));
      route.path = scalar_text(p.value("Path", nlohmann::json("$default")));
      route.is_default = !rest && route.path == "$default";
      route.payload =
          rest || scalar_text(p.value("PayloadFormatVersion", nlohmann::json(""))) == "1.0"
              ? PayloadVersion::k1
              : PayloadVersion::k2;
      route.timeout = integration_timeout(p, rest ? ApiKind::kRest : ApiKind::kHttp);
      route.resource_id = stable_id(route.api->logical_id + " " + route.path, 6);
      route.event = function.logical_id + "." + event.name;
      route.line = event.line;
      route.authorizer = route_authorizer(route.api->auth, p);
      route.properties = p;
      if (!rest) routes->has_http_api = true;
      if (const Route* replaced = routes->table.add(route)) {
        routes->warnings.push_back(
            "route " + route.route_key() + " of " + route.event + " (line " +
            std::to_string(route.line) + ", api " + route.api->logical_id + ") replaces " +
            replaced->event + " (line " + std::to_string(replaced->line) + ", api " +
            replaced->api->logical_id +
            "): the gateway serves every API on one port without stage prefixes, and the later "
            "route wins, as in sam local start-api");
      }
    }
  }
  add_cors_mocks(*routes);
  return routes;
}

}  // namespace lambdad::gateway
