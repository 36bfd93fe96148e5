#include "lambdad/gateway/http_api_event.hpp"

#include <algorithm>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/gateway/media_types.hpp"
#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

/// Appends `value` to a comma-joined entry of `object`.
void join(json& object, const std::string& key, const std::string& value) {
  auto it = object.find(key);
  if (it == object.end()) {
    object[key] = value;
  } else {
    it->get_ref<std::string&>() += "," + value;
  }
}

}  // namespace

json build_v2_event(const EventInput& input) {
  const GatewayRequest& request = input.request;
  const Route& route = input.route;
  const ApiInfo& api = *route.api;
  const std::string route_key = route.route_key();
  json event = json::object();
  event["version"] = "2.0";
  event["routeKey"] = route_key;
  event["rawPath"] = request.raw_path;
  event["rawQueryString"] = request.raw_query;
  if (auto cookies = cookies_of(request); !cookies.empty()) event["cookies"] = cookies;

  json headers = json::object();
  for (const auto& h : request.headers) {
    std::string name = ascii_lower(h.name);
    if (name == "cookie") continue;  // in `cookies`
    join(headers, name, h.value);
  }
  event["headers"] = std::move(headers);
  if (!request.query.empty()) {
    json query = json::object();
    for (const auto& q : request.query) join(query, q.name, q.value);
    event["queryStringParameters"] = std::move(query);
  }
  if (!route.params.empty()) {
    json params = json::object();
    for (size_t i = 0; i < route.params.size() && i < input.path_values.size(); ++i) {
      params[route.params[i]] = input.path_values[i];
    }
    event["pathParameters"] = std::move(params);
  }
  if (api.stage_variables.is_object()) event["stageVariables"] = api.stage_variables;

  const std::string domain = request.host.empty() ? "localhost" : request.host;
  event["requestContext"] = {{"accountId", kAccountId},
                             {"apiId", api.id},
                             {"domainName", domain},
                             {"domainPrefix", domain_prefix(domain)},
                             {"http",
                              {{"method", request.method},
                               {"path", request.path},
                               {"protocol", request.protocol},
                               {"sourceIp", request.source_ip},
                               {"userAgent", request.user_agent}}},
                             {"requestId", input.request_id},
                             {"routeKey", route_key},
                             {"stage", api.stage},
                             {"time", request_time(request.time_epoch_ms)},
                             {"timeEpoch", request.time_epoch_ms}};

  bool binary = false;
  if (!request.body.empty()) {
    const std::string* content_type = request.header("content-type");
    binary = !http_api_text_type(content_type ? media_type(*content_type) : "");
    event["body"] = binary ? base64_encode(request.body) : request.body;
  }
  event["isBase64Encoded"] = binary;
  return event;
}

}  // namespace lambdad::gateway
