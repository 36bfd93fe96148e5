#include "lambdad/gateway/authorizer_event.hpp"

#include <boost/beast/core/string.hpp>

#include "lambdad/common/ids.hpp"
#include "lambdad/gateway/http_api_event.hpp"
#include "lambdad/gateway/rest_event.hpp"
#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

/// Every value of repeated entries: REST takes the last one, an HTTP API joins them with commas.
std::optional<std::string> pick(const std::vector<NameValue>& entries, std::string_view name,
                                bool ignore_case, bool join) {
  std::optional<std::string> out;
  for (const auto& entry : entries) {
    const bool same = ignore_case ? boost::beast::iequals(entry.name, name) : entry.name == name;
    if (!same) continue;
    out = join && out ? *out + "," + entry.value : entry.value;
  }
  return out;
}

/// HTTP API context variables that the 2.0 event keeps under `http` (the 1.0 one where REST does).
std::string http_context_path(const std::string& path) {
  if (path == "identity.sourceIp") return "http.sourceIp";
  if (path == "identity.userAgent") return "http.userAgent";
  if (path == "httpMethod") return "http.method";
  if (path == "path") return "http.path";
  if (path == "protocol") return "http.protocol";
  return path;
}

/// A dotted path in the request context, as text; nullopt when absent or not a scalar.
std::optional<std::string> context_value(const json& request_event, const std::string& path) {
  auto context = request_event.find("requestContext");
  if (context == request_event.end()) return std::nullopt;
  const json* node = &*context;
  for (size_t start = 0; start <= path.size();) {
    size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    if (!node->is_object()) return std::nullopt;
    auto it = node->find(path.substr(start, dot - start));
    if (it == node->end()) return std::nullopt;
    node = &*it;
    start = dot + 1;
  }
  if (node->is_null() || node->is_object() || node->is_array()) return std::nullopt;
  return node->is_string() ? node->get<std::string>() : node->dump();
}

std::optional<std::string> source_value(const IdentitySource& source, const AuthorizerConfig& auth,
                                        const EventInput& input, const json& request_event) {
  const bool join = !auth.rest();
  switch (source.kind) {
    case IdentitySource::Kind::kHeader:
      return pick(input.request.headers, source.name, true, join);
    case IdentitySource::Kind::kQuery:
      return pick(input.request.query, source.name, false, join);
    case IdentitySource::Kind::kStageVariable: {
      const json& variables = input.route.api->stage_variables;  // null when the stage has none
      if (!variables.is_object()) return std::nullopt;
      auto it = variables.find(source.name);
      if (it == variables.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    }
    case IdentitySource::Kind::kContext:
      return context_value(request_event, auth.format == AuthorizerFormat::kHttp2
                                              ? http_context_path(source.name)
                                              : source.name);
  }
  return std::nullopt;
}

}  // namespace

std::string method_arn(const ApiInfo& api, const GatewayRequest& request) {
  std::string_view path = request.path;
  if (path.starts_with("/")) path.remove_prefix(1);
  return "arn:aws:execute-api:" + region() + ":" + kAccountId + ":" + api.id + "/" + api.stage +
         "/" + request.method + "/" + std::string(path);
}

json request_event_for(const AuthorizerConfig& authorizer, const EventInput& input) {
  switch (authorizer.format) {
    case AuthorizerFormat::kToken:
      return nullptr;
    case AuthorizerFormat::kRequest:
    case AuthorizerFormat::kHttp1:
      return build_v1_event(input);
    case AuthorizerFormat::kHttp2:
      return build_v2_event(input);
  }
  return nullptr;
}

std::optional<std::vector<std::string>> identity_values(const AuthorizerConfig& authorizer,
                                                        const EventInput& input,
                                                        const json& request_event) {
  std::vector<std::string> values;
  for (const auto& source : authorizer.identity) {
    auto value = source_value(source, authorizer, input, request_event);
    if (!value || value->empty()) return std::nullopt;
    values.push_back(std::move(*value));
  }
  if (authorizer.validation && !values.empty() &&
      !std::regex_match(values.front(), *authorizer.validation)) {
    return std::nullopt;
  }
  return values;
}

json authorizer_event(const AuthorizerConfig& authorizer, json request_event,
                      const std::vector<std::string>& values, const std::string& arn) {
  if (authorizer.format == AuthorizerFormat::kToken) {
    return {{"type", "TOKEN"},
            {"authorizationToken", values.empty() ? "" : values.front()},
            {"methodArn", arn}};
  }
  json event = std::move(request_event);
  event.erase("body");
  event.erase("isBase64Encoded");
  event["type"] = "REQUEST";
  if (authorizer.format == AuthorizerFormat::kHttp2) {
    event["routeArn"] = arn;
    event["identitySource"] = values;
    return event;
  }
  event["methodArn"] = arn;
  if (authorizer.format == AuthorizerFormat::kHttp1) {
    std::string joined;
    for (const auto& value : values) joined += (joined.empty() ? "" : ",") + value;
    event["identitySource"] = joined;
    event["authorizationToken"] = joined;
  }
  return event;
}

}  // namespace lambdad::gateway
