// The FunctionEventInvokeConfig group: Put (replaces), Update (merges), Get, Delete, List, per
// function and qualifier. The scheduler reads them at each Event invoke (server.cpp).

#include <charconv>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/control_api/stored_request.hpp"
#include "lambdad/registry/registry.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

/// AWS shows the config's function qualified, $LATEST for the unqualified one.
std::string config_arn(const std::string& name, const std::string& qualifier) {
  return function_arn(name, qualifier.empty() ? "$LATEST" : qualifier);
}

AwsError no_config(const std::string& name, const std::string& qualifier) {
  return {404, "ResourceNotFoundException",
          "The function " + config_arn(name, qualifier) + " doesn't have an EventInvokeConfig"};
}

http::asio::awaitable<http::Response> write(ApiState& api, Call& call, bool merge) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  registry::EventInvokeConfig config = event_invoke_config_request(parse_body(call.request.body()));
  const registry::EventInvokeConfig stored =
      co_await registry.put_event_invoke_config(target.name, target.qualifier, config, merge);
  co_return json_response(
      call.request, 200,
      event_invoke_config_response(stored, config_arn(target.name, target.qualifier)),
      call.request_id);
}

}  // namespace

http::asio::awaitable<http::Response> put_event_invoke_config(ApiState& api, Call& call) {
  return write(api, call, false);
}

http::asio::awaitable<http::Response> update_event_invoke_config(ApiState& api, Call& call) {
  return write(api, call, true);
}

http::asio::awaitable<http::Response> get_event_invoke_config(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  const auto config = registry.event_invoke_config(target.name, target.qualifier);
  if (!config) throw no_config(target.name, target.qualifier);
  co_return json_response(
      call.request, 200,
      event_invoke_config_response(*config, config_arn(target.name, target.qualifier)),
      call.request_id);
}

http::asio::awaitable<http::Response> delete_event_invoke_config(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  co_await registry.delete_event_invoke_config(target.name, target.qualifier);
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  co_return r;
}

http::asio::awaitable<http::Response> list_event_invoke_configs(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target = stored_target(api, path_param(call.params[0]), "");
  const std::string marker = query_param(call.query, "Marker");
  const std::string max_text = query_param(call.query, "MaxItems");
  size_t max_items = 50;
  if (!max_text.empty()) {
    auto [p, ec] = std::from_chars(max_text.data(), max_text.data() + max_text.size(), max_items);
    if (ec != std::errc() || p != max_text.data() + max_text.size() || max_items < 1 ||
        max_items > 50) {
      throw AwsError(400, "ValidationException",
                     "1 validation error detected: Value '" + max_text.substr(0, 32) +
                         "' at 'maxItems' failed to satisfy constraint: Member must have value "
                         "between 1 and 50",
                     AwsError::Key::kmessage);
    }
  }
  nlohmann::json list = nlohmann::json::array();
  std::string next_marker;
  std::string last;
  for (const auto& [qualifier, config] : registry.event_invoke_configs(target.name)) {
    if (!marker.empty() && qualifier <= marker) continue;
    if (list.size() == max_items) {
      next_marker = last;
      break;
    }
    list.push_back(event_invoke_config_response(config, config_arn(target.name, qualifier)));
    last = qualifier;
  }
  nlohmann::json body = {{"FunctionEventInvokeConfigs", list}};
  if (!next_marker.empty()) body["NextMarker"] = next_marker;
  co_return json_response(call.request, 200, body, call.request_id);
}

}  // namespace lambdad::control_api
