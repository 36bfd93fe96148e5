// ListFunctions, GetFunction and GetFunctionConfiguration.

#include <charconv>

#include "lambdad/control_api/function_json.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "router.hpp"

namespace lambdad::control_api {

http::asio::awaitable<http::Response> list_functions(ApiState& api, Call& call) {
  nlohmann::json list = nlohmann::json::array();
  std::string marker = query_param(call.query, "Marker");
  std::string max_text = query_param(call.query, "MaxItems");
  size_t max_items = 50;
  if (!max_text.empty()) {
    auto [p, ec] = std::from_chars(max_text.data(), max_text.data() + max_text.size(), max_items);
    if (ec != std::errc() || max_items < 1 || max_items > 10000) {
      throw errors::invalid_parameter("MaxItems must be between 1 and 10000");
    }
  }
  std::string next_marker;
  for (const auto& function : api.scheduler.list()) {
    if (!marker.empty() && function.config.name <= marker) continue;
    if (list.size() == max_items) {
      next_marker = list.back()["FunctionName"];
      break;
    }
    list.push_back(function_configuration(function));
  }
  nlohmann::json body = {{"Functions", list}};
  if (!next_marker.empty()) body["NextMarker"] = next_marker;
  co_return json_response(call.request, 200, body, call.request_id);
}

http::asio::awaitable<http::Response> get_function(ApiState& api, Call& call) {
  auto function =
      api.scheduler.describe(path_param(call.params[0]), query_param(call.query, "Qualifier"));
  co_return json_response(call.request, 200, control_api::get_function(function), call.request_id);
}

http::asio::awaitable<http::Response> get_function_configuration(ApiState& api, Call& call) {
  auto function =
      api.scheduler.describe(path_param(call.params[0]), query_param(call.query, "Qualifier"));
  co_return json_response(call.request, 200, function_configuration(function), call.request_id);
}

}  // namespace lambdad::control_api
