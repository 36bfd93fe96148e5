#pragma once
/// @brief The gateway's view of a template: its APIs (REST or HTTP, stage, binary media types,
/// stage variables) and one Route per `Api` / `HttpApi` event, each carrying every setting a
/// request on it needs: CORS and Lambda authorizers hang there; what else guards a route (JWT
/// authorizers, API keys, throttling) is in access.hpp.
///
/// Thread safety: built once, then read-only (shared by every connection).

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/common/function_config.hpp"
#include "lambdad/gateway/authorizer_config.hpp"
#include "lambdad/gateway/cors.hpp"
#include "lambdad/gateway/route_table.hpp"

namespace lambdad::gateway {

class Access;
struct RouteAccess;

enum class ApiKind { kRest, kHttp };
enum class PayloadVersion { k1, k2 };

/// REST 29 s; HTTP API 30 s (both the most AWS allows).
inline constexpr std::chrono::milliseconds kRestIntegrationTimeout{29000};
inline constexpr std::chrono::milliseconds kHttpIntegrationTimeout{30000};

/// One `AWS::Serverless::Api` / `AWS::Serverless::HttpApi`, explicit or implicit.
struct ApiInfo {
  std::string logical_id;  ///< e.g. ServerlessRestApi, MyApi
  ApiKind kind = ApiKind::kRest;
  std::string id;                  ///< `apiId`: 10 lower-case alphanumerics, stable per logical id
  std::string stage;               ///< `StageName` (Prod / $default by default)
  nlohmann::json stage_variables;  ///< an object, or null when the stage has none
  std::vector<std::string> binary_media_types;  ///< REST `BinaryMediaTypes` (`~1` read as `/`)
  /// What the template sets (deploy/ read it): API keys, JWT authorizers, throttles. The fields
  /// below also take the OpenAPI document's.
  api::ApiSettings settings;
  std::optional<CorsConfig> cors;  ///< REST `Cors` / HTTP API `CorsConfiguration` / document
  ApiAuth auth;                    ///< `Auth`: its Lambda authorizers (and its OpenAPI document's)
  /// `ApiKeySourceType` (or the document's `x-amazon-apigateway-api-key-source`): HEADER or
  /// AUTHORIZER; "" when unset (HEADER).
  std::string api_key_source;
};

/// One route: an `Api` or `HttpApi` event of a function.
struct Route {
  const ApiInfo* api = nullptr;
  std::string function;  ///< the function's name, as the scheduler knows it
  std::string method;    ///< GET, POST, … or ANY (upper case)
  std::string path;      ///< as written (`/pets/{id}`, `/{proxy+}`), or `$default`
  bool is_default = false;
  PayloadVersion payload = PayloadVersion::k1;
  std::chrono::milliseconds timeout{kRestIntegrationTimeout};  ///< integration timeout
  std::string resource_id;  ///< REST `resourceId`: 6 lower-case alphanumerics
  std::string event;        ///< "Function.Event", for logs
  int line = 0;             ///< the event's line in the template
  /// A REST API's CORS `OPTIONS` mock (SAM adds one per path): answered by the gateway, with
  /// `cors_methods` as the computed Access-Control-Allow-Methods; `function` is empty.
  bool cors_mock = false;
  std::string cors_methods;
  /// The Lambda authorizer in front of the function (or of the CORS mock); nullptr: none.
  const AuthorizerConfig* authorizer = nullptr;
  /// Filled by RouteTable::add: the names of the `{name}` / `{name+}` segments in order.
  std::vector<std::string> params;
  /// The event's `Auth.Authorizer` ("" for a document's route, or none: the API's default).
  std::string authorizer_name;
  /// The event's `Auth.AuthorizationScopes` (JWT); nullopt: the authorizer's.
  std::optional<std::vector<std::string>> scopes;
  api::Throttle throttle;  ///< an HTTP API event's own `RouteSettings`
  /// Set by Access (access.hpp): the JWT authorizer, API key and throttles the route enforces.
  const RouteAccess* access = nullptr;
  /// A route of an OpenAPI document: its integration (Routes::documents keeps it); nullptr for
  /// an event's route, which invokes `function` as a Lambda proxy.
  const openapi::Integration* integration = nullptr;
  /// The route's own API key requirement: an event's `Auth.ApiKeyRequired`, or true for a
  /// document's route whose `security` names an `x-api-key` scheme; nullopt: the API's.
  std::optional<bool> api_key_required;

  /// `GET /pets/{id}`, `ANY /{proxy+}` or `$default`.
  std::string route_key() const { return is_default ? "$default" : method + " " + path; }
};

/// Every API and route of a template, and the trie that finds a request's route.
struct Routes {
  std::deque<ApiInfo> apis;  ///< deque: routes point into it
  std::deque<Route> routes;
  RouteTable table;
  bool has_http_api = false;             ///< unmatched requests answer 404 (else REST's 403)
  const ApiInfo* http_cors = nullptr;    ///< the first HTTP API with CORS (unrouted preflights)
  std::vector<std::string> warnings;     ///< e.g. a route shadowed by another API's
  std::shared_ptr<const Access> access;  ///< what Route::access points into (access.hpp)
  /// The APIs' OpenAPI definitions, which Route::integration points into.
  std::vector<std::shared_ptr<const openapi::Definition>> documents;
};

/// Builds the routes of every API's OpenAPI document, then of every Api/HttpApi event of the
/// template's functions (an event's route replaces a document's of the same method and path, as
/// SAM merges events into the document).
std::unique_ptr<Routes> build_routes(const Template& tmpl);

/// A stable identifier of `length` lower-case alphanumerics derived from `seed` (FNV-1a).
std::string stable_id(std::string_view seed, size_t length);

}  // namespace lambdad::gateway
