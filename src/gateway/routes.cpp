#include "lambdad/gateway/routes.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lambdad::gateway {

namespace {

/// `Variables` / `StageVariables` as the event's `stageVariables`: an object, or null when the
/// stage has none.
nlohmann::json stage_variables(const std::map<std::string, std::string>& variables) {
  if (variables.empty()) return nullptr;
  return nlohmann::json(variables);
}

std::chrono::milliseconds integration_timeout(std::optional<std::chrono::milliseconds> timeout,
                                              ApiKind kind) {
  const auto limit = kind == ApiKind::kRest ? kRestIntegrationTimeout : kHttpIntegrationTimeout;
  return timeout ? std::min(*timeout, limit) : limit;
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
    api.auth.authorizers.push_back(authorizer_config(api.logical_id, spec));
  }
  if (api.api_key_source.empty()) api.api_key_source = doc.api_key_source;
  if (!api.cors && doc.cors && api.kind == ApiKind::kHttp) {
    api.cors = doc.cors;
    if (!routes.http_cors) routes.http_cors = &api;
  }
}

void add_document_routes(const openapi::Definition& doc, const ApiInfo& api, Routes& routes) {
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
    route.timeout = integration_timeout(spec.integration.timeout, api.kind);
    route.resource_id = stable_id(api.logical_id + " " + route.path, 6);
    route.event = api.logical_id + " " + doc.source;
    route.line = spec.line;
    route.authorizer =
        spec.authorizer.empty() ? route_authorizer(api.auth, "") : api.auth.find(spec.authorizer);
    if (spec.api_key_required) route.api_key_required = true;
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
    const api::ApiSettings& settings = config.settings;
    api.stage_variables = stage_variables(settings.stage_variables);
    api.binary_media_types = settings.binary_media_types;
    api.settings = settings;
    api.cors = settings.cors;
    if (api.cors && api.kind == ApiKind::kHttp && !routes->http_cors) routes->http_cors = &api;
    api.auth.default_authorizer = settings.auth.default_authorizer;
    api.auth.default_on_preflight = settings.auth.default_on_preflight;
    for (const api::LambdaAuthorizer& spec : settings.auth.lambda_authorizers) {
      api.auth.authorizers.push_back(authorizer_config(api.logical_id, spec));
    }
    api.api_key_source = settings.api_key_source;
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
      if (!event.route) continue;  // not an Api / HttpApi event
      const api::EventRoute& settings = *event.route;
      const bool rest = event.type == "Api";
      auto api = by_id.find(settings.api);
      if (api == by_id.end()) continue;  // the loader links every event to an API
      Route& route = routes->routes.emplace_back();
      route.api = api->second;
      route.function = function.name;
      route.method = settings.method;
      route.path = settings.path;
      route.is_default = !rest && route.path == "$default";
      route.payload = settings.payload_v2 ? PayloadVersion::k2 : PayloadVersion::k1;
      route.timeout = integration_timeout(settings.timeout, route.api->kind);
      route.resource_id = stable_id(route.api->logical_id + " " + route.path, 6);
      route.event = function.logical_id + "." + event.name;
      route.line = event.line;
      route.authorizer_name = settings.authorizer;
      route.authorizer = route_authorizer(route.api->auth, settings.authorizer);
      route.api_key_required = settings.api_key_required;
      route.scopes = settings.scopes;
      route.throttle = settings.throttle;
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
