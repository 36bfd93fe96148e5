// A client's bytes on the gateway's port: Beast's parser with the gateway's limits (pipelined
// requests in turn), the gateway's request parsing (path and query decoding, headers), route
// matching in a REST API and an HTTP API, and the Lambda proxy events built from the request:
// REST's format 1.0, and an HTTP API's 2.0 and 1.0, as JSON text the way the gateway sends them.

#include "connection_bytes.hpp"
#include "lambdad/gateway/gateway.hpp"
#include "lambdad/gateway/http_api_event.hpp"
#include "lambdad/gateway/request.hpp"
#include "lambdad/gateway/rest_event.hpp"
#include "lambdad/gateway/route_table.hpp"
#include "lambdad/gateway/routes.hpp"
#include "lambdad/http/error_response.hpp"

namespace {

using namespace lambdad;
using namespace lambdad::gateway;

/// One API and its routes, as build_routes would make them from a template's events.
struct Api {
  ApiInfo info;
  std::deque<Route> routes;
  RouteTable table;

  Api(const Api&) = delete;  // routes point at `info` and the table at `routes`
  Api(ApiKind kind, std::string logical_id, std::string stage,
      std::vector<std::pair<std::string, std::string>> method_paths) {
    info.kind = kind;
    info.logical_id = std::move(logical_id);
    info.id = stable_id(info.logical_id, 10);
    info.stage = std::move(stage);
    info.stage_variables = nlohmann::json{{"v", "1"}};
    info.binary_media_types = {"image/png", "application/octet-stream"};
    for (auto& [method, path] : method_paths) {
      Route& route = routes.emplace_back();
      route.api = &info;
      route.function = "Fn";
      route.method = method;
      route.path = path;
      route.is_default = path == "$default";
      route.payload = kind == ApiKind::kHttp ? PayloadVersion::k2 : PayloadVersion::k1;
      route.resource_id = stable_id(info.logical_id + " " + path, 6);
      table.add(route);
    }
  }
};

const std::vector<std::pair<std::string, std::string>> kRoutes = {
    {"GET", "/pets/{id}"},   {"POST", "/pets"},    {"ANY", "/files/{path+}"},
    {"PUT", "/a/{x}/b/{y}"}, {"ANY", "/{proxy+}"}, {"DELETE", "/"}};

void events(const Api& api, const GatewayRequest& request) {
  const Match match = api.table.match(request.method, request.segments);
  if (match.kind != MatchKind::kRoute) return;
  if (match.values.size() != match.route->params.size()) __builtin_trap();
  const EventInput input{request, *match.route, match.values,
                         "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "JKJaXmPLvHcESHA="};
  (void)http::dump_lenient(build_v1_event(input));
  if (api.info.kind == ApiKind::kHttp) (void)http::dump_lenient(build_v2_event(input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Api rest(ApiKind::kRest, "ServerlessRestApi", "Prod", kRoutes);
  static Api http_api = [] {
    auto routes = kRoutes;
    routes.emplace_back("ANY", "$default");
    return Api(ApiKind::kHttp, "ServerlessHttpApi", "$default", routes);
  }();
  static const http::Handler handler = [] {
    http::Handler h;
    h.body_policy = [](const http::RequestHeader&) {
      return http::BodyPolicy{.limit = kBodyLimit};
    };
    return h;
  }();
  static const http::Peer peer{
      .remote = http::tcp::endpoint(boost::asio::ip::make_address("192.0.2.1"), 50123),
      .local = http::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 3000)};

  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  lambdad::fuzz::serve_bytes(bytes, connection_limits(), handler, [](http::Request& r) {
    auto keep_alive = r.keep_alive();
    if (auto request = parse_request(r, peer)) {
      request->time_epoch_ms = 1583349317135;
      events(rest, *request);
      events(http_api, *request);
      (void)cookies_of(*request);
      (void)domain_prefix(request->host);
    }
    http::Response response{http::bhttp::status::ok, 11};
    response.keep_alive(keep_alive);
    return response;
  });
  return 0;
}
