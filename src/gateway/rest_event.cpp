#include "lambdad/gateway/rest_event.hpp"

#include <algorithm>
#include <map>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/gateway/media_types.hpp"
#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

json identity(const GatewayRequest& request, bool rest) {
  json out = {{"accessKey", nullptr},
              {"accountId", nullptr},
              {"caller", nullptr},
              {"cognitoAuthenticationProvider", nullptr},
              {"cognitoAuthenticationType", nullptr},
              {"cognitoIdentityId", nullptr},
              {"cognitoIdentityPoolId", nullptr},
              {"principalOrgId", nullptr},
              {"sourceIp", request.source_ip},
              {"user", nullptr},
              {"userAgent", request.user_agent},
              {"userArn", nullptr}};
  if (rest) out["cognitoAmr"] = nullptr;
  return out;
}

}  // namespace

json build_v1_event(const EventInput& input) {
  const GatewayRequest& request = input.request;
  const Route& route = input.route;
  const ApiInfo& api = *route.api;
  const bool rest = api.kind == ApiKind::kRest;
  json event = json::object();
  if (!rest) event["version"] = "1.0";
  event["resource"] = route.path;
  event["path"] = request.path;
  event["httpMethod"] = request.method;

  // Names as sent (lower case on HTTP APIs); the spelling first seen names a repeated header.
  json headers = json::object(), multi_headers = json::object();
  std::map<std::string, std::string> spelling;
  for (const auto& h : request.headers) {
    const std::string key = rest ? h.name : ascii_lower(h.name);
    const std::string& name = spelling.try_emplace(ascii_lower(h.name), key).first->second;
    headers[name] = h.value;
    multi_headers[name].push_back(h.value);
  }
  event["headers"] = headers.empty() ? json(nullptr) : headers;
  event["multiValueHeaders"] = multi_headers.empty() ? json(nullptr) : multi_headers;

  if (request.query.empty()) {
    event["queryStringParameters"] = nullptr;
    event["multiValueQueryStringParameters"] = nullptr;
  } else {
    json query = json::object(), multi_query = json::object();
    for (const auto& q : request.query) {
      query[q.name] = q.value;
      multi_query[q.name].push_back(q.value);
    }
    event["queryStringParameters"] = std::move(query);
    event["multiValueQueryStringParameters"] = std::move(multi_query);
  }
  if (route.params.empty()) {
    event["pathParameters"] = nullptr;
  } else {
    json params = json::object();
    for (size_t i = 0; i < route.params.size() && i < input.path_values.size(); ++i) {
      params[route.params[i]] = input.path_values[i];
    }
    event["pathParameters"] = std::move(params);
  }
  event["stageVariables"] = api.stage_variables;

  const std::string domain = request.host.empty() ? "localhost" : request.host;
  json context = {{"accountId", kAccountId},
                  {"apiId", api.id},
                  {"domainName", domain},
                  {"domainPrefix", domain_prefix(domain)},
                  {"extendedRequestId", input.extended_request_id},
                  {"httpMethod", request.method},
                  {"identity", identity(request, rest)},
                  {"path", request.path},
                  {"protocol", request.protocol},
                  {"requestId", input.request_id},
                  {"requestTime", request_time(request.time_epoch_ms)},
                  {"requestTimeEpoch", request.time_epoch_ms},
                  {"resourceId", rest ? json(route.resource_id) : json(nullptr)},
                  {"resourcePath", route.path},
                  {"stage", api.stage}};
  event["requestContext"] = std::move(context);

  if (request.body.empty()) {
    event["body"] = nullptr;
    event["isBase64Encoded"] = false;
  } else {
    const std::string* content_type = request.header("content-type");
    const std::string type = content_type ? media_type(*content_type) : "";
    const bool binary =
        rest ? media_type_matches(api.binary_media_types, type) : !http_api_text_type(type);
    event["body"] = binary ? base64_encode(request.body) : request.body;
    event["isBase64Encoded"] = binary;
  }
  return event;
}

}  // namespace lambdad::gateway
