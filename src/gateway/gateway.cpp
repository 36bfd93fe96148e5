#include "lambdad/gateway/gateway.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/awaitable.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/gateway/access.hpp"
#include "lambdad/gateway/authorizer.hpp"
#include "lambdad/gateway/cors.hpp"
#include "lambdad/gateway/errors.hpp"
#include "lambdad/gateway/http_api_event.hpp"
#include "lambdad/gateway/integrations.hpp"
#include "lambdad/gateway/invoke.hpp"
#include "lambdad/gateway/response_mapping.hpp"
#include "lambdad/gateway/rest_event.hpp"
#include "lambdad/gateway/routes.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::gateway {

namespace {

namespace asio = boost::asio;
namespace bhttp = http::bhttp;

/// Lambda's synchronous payload limit: a bigger event is refused by Lambda, not by the gateway.
constexpr size_t kEventLimit = 6 * 1024 * 1024;

/// The ids API Gateway gives a request, and the headers that carry them back.
struct RequestIds {
  ApiKind kind;
  std::string request_id;           ///< REST: UUID; HTTP API: short id
  std::string extended_request_id;  ///< REST `x-amz-apigw-id`
  std::string trace_id;

  explicit RequestIds(ApiKind k) : kind(k) {
    if (kind == ApiKind::kRest) {
      request_id = new_request_id();
      extended_request_id = new_apigw_id();
    } else {
      request_id = new_apigw_id();
      extended_request_id = request_id;
    }
  }

  void stamp(http::Response& response) const {
    if (kind == ApiKind::kRest) {
      response.set("x-amzn-RequestId", request_id);
      response.set("x-amz-apigw-id", extended_request_id);
      if (!trace_id.empty()) response.set("X-Amzn-Trace-Id", trace_id);
    } else {
      response.set("apigw-requestid", request_id);
    }
  }
};

class Gateway {
 public:
  Gateway(const Template& tmpl, scheduler::Scheduler& scheduler, GatewayOptions options)
      : scheduler_(scheduler),
        authorizers_(scheduler),
        access_state_(scheduler.executor(), JwksOptions{.overrides = std::move(options.jwks)}) {
    reload(tmpl);
  }

  /// New routes for new requests; a request in flight keeps the routes it matched.
  void reload(const Template& tmpl) {
    std::unique_ptr<Routes> built = build_routes(tmpl);
    built->access = std::make_shared<const Access>(*built, tmpl, access_state_);
    std::shared_ptr<const Routes> routes = std::move(built);
    for (const auto& warning : routes->warnings) spdlog::warn("gateway: {}", warning);
    for (const auto& warning : routes->access->warnings()) spdlog::warn("gateway: {}", warning);
    for (const auto& note : routes->access->notes()) spdlog::info("gateway: {}", note);
    spdlog::debug("gateway: {} routes on {} APIs ({} trie nodes)", routes->routes.size(),
                  routes->apis.size(), routes->table.node_count());
    routes_ = std::move(routes);
    authorizers_.clear_cache();
  }

  /// The API kind that answers requests no route takes.
  ApiKind fallback_kind() const { return routes_->has_http_api ? ApiKind::kHttp : ApiKind::kRest; }

  /// The API kind that answers a request known only by its header (e.g. a body over the limit).
  ApiKind kind_for(const http::RequestHeader& header) const {
    http::Request probe{header.method(), header.target(), header.version()};
    if (auto parsed = parse_request(probe, http::Peer{})) {
      const Match match = routes_->table.match(parsed->method, parsed->segments);
      if (match.kind == MatchKind::kRoute) return match.route->api->kind;
      if (match.kind == MatchKind::kNoMethod) return ApiKind::kRest;
    }
    return fallback_kind();
  }

  http::Response error(ApiKind kind, GatewayError error, const http::RequestHeader& header,
                       const RequestIds& ids) const {
    http::Response response = error_response(kind, error, header);
    ids.stamp(response);
    return response;
  }

  asio::awaitable<http::Response> handle(http::Request& request, const http::Peer& peer) {
    const std::shared_ptr<const Routes> routes = routes_;  // the route outlives a reload
    auto parsed = parse_request(request, peer);
    if (!parsed) {
      RequestIds ids(fallback_kind());
      co_return error(ids.kind, GatewayError::kBadRequest, request.base(), ids);
    }
    const Match match = routes->table.match(parsed->method, parsed->segments);
    if (match.kind != MatchKind::kRoute) {
      if (match.kind == MatchKind::kNone) {
        if (auto answer = unrouted_preflight(*routes, *parsed, request)) {
          co_return std::move(*answer);
        }
      }
      // A REST resource without the method answers as REST does, whatever else the template has.
      RequestIds ids(match.kind == MatchKind::kNoMethod ? ApiKind::kRest : fallback_kind());
      ids.trace_id = parsed->trace_id;
      co_return error(ids.kind, GatewayError::kNotFound, request.base(), ids);
    }
    const Route& route = *match.route;
    RequestIds ids(route.api->kind);
    ids.trace_id = parsed->trace_id;
    const EventInput input{*parsed, route, match.values, ids.request_id, ids.extended_request_id};
    // API Gateway's order: an HTTP API throttles, then authorizes (JWT or Lambda); REST runs its
    // authorizer, then checks the API key, its usage plan and the method's throttle.
    const bool http_api = route.api->kind == ApiKind::kHttp;
    Admission admitted;
    if (route.access && http_api) {
      auto refusal =
          co_await check_access(*routes, route, *parsed, request, ids, nullptr, admitted);
      if (refusal) co_return std::move(*refusal);
    }
    std::optional<Authorization> auth;
    if (route.authorizer) {
      auth = co_await authorizers_.authorize(*route.authorizer, input);
      if (auth->refused) co_return error(ids.kind, *auth->refused, request.base(), ids);
    }
    if (route.access && !http_api) {
      // The API key when the API's ApiKeySourceType is AUTHORIZER (access.hpp).
      const std::string* authorizer_key =
          auth && auth->usage_identifier_key ? &*auth->usage_identifier_key : nullptr;
      auto refusal =
          co_await check_access(*routes, route, *parsed, request, ids, authorizer_key, admitted);
      if (refusal) co_return std::move(*refusal);
    }
    if (route.cors_mock) {
      http::Response response = rest_cors_mock(route, request);
      ids.stamp(response);
      co_return response;
    }
    if (route.integration && route.integration->type != openapi::IntegrationType::kLambdaProxy) {
      http::Response response =
          co_await run_integration(route, *parsed, match.values, request, ids);
      ids.stamp(response);
      co_return response;
    }
    nlohmann::json event_json =
        route.payload == PayloadVersion::k1 ? build_v1_event(input) : build_v2_event(input);
    if (auth) event_json["requestContext"]["authorizer"] = std::move(auth->context);
    if (!admitted.authorizer.is_null()) {
      event_json["requestContext"]["authorizer"] = std::move(admitted.authorizer);
    }
    if (admitted.api_key) {
      auto& identity = event_json["requestContext"]["identity"];
      identity["apiKey"] = admitted.api_key->value;
      identity["apiKeyId"] = admitted.api_key->id;
    }
    std::string event = http::dump_lenient(event_json);
    if (event.size() > kEventLimit) {
      spdlog::warn("gateway: {} {} -> {}: the event is {} bytes, over Lambda's {} byte limit",
                   parsed->method, parsed->raw_path, route.function, event.size(), kEventLimit);
      co_return error(ids.kind, GatewayError::kIntegrationFailure, request.base(), ids);
    }

    std::optional<scheduler::InvokeResult> result;
    try {
      result = co_await invoke_within(scheduler_, route.function, route.timeout, std::move(event));
    } catch (const AwsError& e) {
      spdlog::warn("gateway: {} {} -> {}: Lambda refused the invocation: {} {}{}", parsed->method,
                   parsed->raw_path, route.function, e.status, e.type,
                   e.reason.empty() ? "" : " (" + e.reason + ")");
      co_return error(ids.kind, GatewayError::kIntegrationFailure, request.base(), ids);
    }
    if (!result) {
      spdlog::warn(
          "gateway: {} {} -> {}: no reply within the integration timeout ({} ms); the "
          "invocation goes on",
          parsed->method, parsed->raw_path, route.function, route.timeout.count());
      co_return error(ids.kind, GatewayError::kIntegrationTimeout, request.base(), ids);
    }
    if (result->outcome != worker::Outcome::kSuccess) {
      spdlog::warn("gateway: {} {} -> {}: invocation {} ended with {}", parsed->method,
                   parsed->raw_path, route.function, result->request_id,
                   worker::describe(result->outcome));
      co_return error(ids.kind, GatewayError::kFunctionError, request.base(), ids);
    }
    std::string why;
    const std::string* accept = parsed->header("accept");
    auto mapped = route.payload == PayloadVersion::k1
                      ? map_v1_response(result->payload, *route.api, accept ? *accept : "", why)
                      : map_v2_response(result->payload, why);
    if (!mapped) {
      spdlog::warn("gateway: {} {} -> {}: malformed Lambda proxy response ({}): {:.200}",
                   parsed->method, parsed->raw_path, route.function, why, result->payload);
      co_return error(ids.kind, GatewayError::kMalformedResponse, request.base(), ids);
    }
    if (route.api->kind == ApiKind::kHttp && route.api->cors) {
      apply_http_cors(*route.api->cors, parsed->header("origin"), mapped->headers);
    }
    http::Response response{static_cast<bhttp::status>(mapped->status), request.version()};
    response.keep_alive(request.keep_alive());
    for (auto& [name, value] : mapped->headers) response.insert(name, value);
    // No body on these statuses (Beast refuses to frame one).
    if (mapped->status != 204 && mapped->status != 304) response.body() = std::move(mapped->body);
    ids.stamp(response);
    co_return response;
  }

 private:
  /// An OpenAPI route's mock, HTTP or unsupported integration (integrations.hpp).
  asio::awaitable<http::Response> run_integration(const Route& route, const GatewayRequest& parsed,
                                                  const std::vector<std::string>& values,
                                                  const http::Request& request,
                                                  const RequestIds& ids) const {
    const openapi::Integration& integration = *route.integration;
    switch (integration.type) {
      case openapi::IntegrationType::kMock:
        co_return mock_response(integration, request);
      case openapi::IntegrationType::kHttp: {
        GatewayError failure = GatewayError::kIntegrationFailure;
        auto answer = co_await proxy_http(route, parsed, values, request, failure);
        if (!answer) co_return error(ids.kind, failure, request.base(), ids);
        if (route.api->kind != ApiKind::kHttp || !route.api->cors) co_return std::move(*answer);
        // An HTTP API's CORS headers replace the upstream's, as for a function's reply.
        HeaderList headers;
        for (const auto& field : *answer) {
          headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        apply_http_cors(*route.api->cors, parsed.header("origin"), headers);
        http::Response out{answer->result(), answer->version()};
        out.keep_alive(answer->keep_alive());
        for (auto& [name, value] : headers) out.insert(name, value);
        out.body() = std::move(answer->body());
        co_return out;
      }
      case openapi::IntegrationType::kUnsupported:
      case openapi::IntegrationType::kLambdaProxy:
        break;
    }
    spdlog::warn("gateway: {} {} -> {} ({}): lambdad does not run {}", parsed.method,
                 parsed.raw_path, route.route_key(), route.event, integration.unsupported);
    co_return error(ids.kind, GatewayError::kUnsupportedIntegration, request.base(), ids);
  }

  /// An HTTP API's own answer to a preflight no route takes: 204, with the CORS headers when
  /// allowed. The API is the one of the route the requested method would take, else the first
  /// HTTP API with CORS. nullopt when not a preflight or no such API.
  static std::optional<http::Response> unrouted_preflight(const Routes& routes,
                                                          const GatewayRequest& parsed,
                                                          const http::Request& request) {
    if (parsed.method != "OPTIONS") return std::nullopt;
    const std::string* origin = parsed.header("origin");
    const std::string* method = parsed.header("access-control-request-method");
    if (!origin || !method) return std::nullopt;
    // A REST resource's path (or the requested method's REST route) stays REST's: 403.
    const Match target = routes.table.match(*method, parsed.segments);
    const ApiInfo* api = routes.http_cors;
    if (target.kind == MatchKind::kNoMethod) api = nullptr;
    if (target.kind == MatchKind::kRoute) {
      api = target.route->api->kind == ApiKind::kHttp && target.route->api->cors ? target.route->api
                                                                                 : nullptr;
    }
    if (!api) return std::nullopt;
    const std::string* asked = parsed.header("access-control-request-headers");
    http::Response response{bhttp::status::no_content, request.version()};
    response.keep_alive(request.keep_alive());
    for (auto& [name, value] :
         http_preflight_headers(*api->cors, *origin, *method, asked ? *asked : "")) {
      response.insert(name, value);
    }
    RequestIds(ApiKind::kHttp).stamp(response);
    return response;
  }

  /// SAM's REST `OPTIONS` mock: 200 with the configured headers, whatever the Origin.
  static http::Response rest_cors_mock(const Route& route, const http::Request& request) {
    http::Response response{bhttp::status::ok, request.version()};
    response.keep_alive(request.keep_alive());
    response.set(bhttp::field::content_type, "application/json");
    for (auto& [name, value] : rest_preflight_headers(*route.api->cors, route.cors_methods)) {
      response.insert(name, value);
    }
    response.body() = "{}";
    return response;
  }

  /// The route's access check (access.hpp): the refusal to answer with, or nullopt with
  /// `admitted` filled in. `authorizer_key`: the Lambda authorizer's usageIdentifierKey.
  asio::awaitable<std::optional<http::Response>> check_access(
      const Routes& routes, const Route& route, const GatewayRequest& parsed,
      const http::Request& request, const RequestIds& ids, const std::string* authorizer_key,
      Admission& admitted) {
    auto verdict = co_await routes.access->check(route, parsed, authorizer_key);
    if (auto* admission = std::get_if<Admission>(&verdict)) {
      admitted = std::move(*admission);
      co_return std::nullopt;
    }
    const Denial& denial = std::get<Denial>(verdict);
    spdlog::debug("gateway: {} {} -> {}: {} ({})", parsed.method, parsed.raw_path,
                  route.route_key(), error_shape(ids.kind, denial.error).status, denial.why);
    http::Response response = error(ids.kind, denial.error, request.base(), ids);
    if (!denial.www_authenticate.empty()) {
      response.set("www-authenticate", denial.www_authenticate);  // AWS sends it lower-case
    }
    co_return response;
  }

  scheduler::Scheduler& scheduler_;
  Authorizers authorizers_;
  AccessState access_state_;              ///< JWKS cache, generated API keys, usage counters
  std::shared_ptr<const Routes> routes_;  ///< after access_state_: its Access refers to it
};

http::RequestHeader closing_header() {
  http::RequestHeader header;
  header.version(11);
  header.set(bhttp::field::connection, "close");
  return header;
}

}  // namespace

http::ConnectionLimits connection_limits() {
  return http::ConnectionLimits{.header_limit = 10 * 1024,
                                .read_timeout = std::chrono::seconds(30),
                                .idle_timeout = std::chrono::seconds(60)};
}

Front make_front(const Template& tmpl, scheduler::Scheduler& scheduler, GatewayOptions options) {
  auto gateway = std::make_shared<Gateway>(tmpl, scheduler, std::move(options));
  auto handler = std::make_shared<http::Handler>();
  handler->body_policy = [](const http::RequestHeader&) {
    return http::BodyPolicy{.limit = kBodyLimit};
  };
  handler->handle_from = [gateway](http::Request& request, const http::Peer& peer) {
    return gateway->handle(request, peer);
  };
  handler->body_too_large = [gateway](const http::RequestHeader& header) {
    RequestIds ids(gateway->kind_for(header));
    return gateway->error(ids.kind, GatewayError::kRequestTooLarge, header, ids);
  };
  handler->protocol_error = [gateway](http::ProtocolError error, std::string_view) {
    RequestIds ids(gateway->fallback_kind());
    return gateway->error(ids.kind, gateway_error(error), closing_header(), ids);
  };
  return {handler, [gateway](const Template& next) { gateway->reload(next); }};
}

}  // namespace lambdad::gateway
