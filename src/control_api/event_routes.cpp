// `lambdad events`: the Event invocations the async queue holds, waiting or failed for good, and
// their redrive. lambdad's own routes (AWS has no such API: it drops what no destination takes).

#include <charconv>

#include "lambdad/async/async_invoker.hpp"
#include "lambdad/common/platform_log.hpp"
#include "lambdad/control_api/request_routing.hpp"
#include "router.hpp"

namespace lambdad::control_api {

namespace {

async::AsyncInvoker& async_of(ApiState& api) {
  if (!api.async) throw errors::service("this server does not take Event invocations");
  return *api.async;
}

nlohmann::json event_json(const async::EventSummary& e) {
  nlohmann::json j = {{"Seq", e.seq},
                      {"RequestId", e.request_id},
                      {"FunctionName", e.function},
                      {"Enqueued", iso8601_ms(e.enqueued_ms)},
                      {"FunctionErrors", e.attempts},
                      {"State", !e.failure.empty() ? "Failed"
                                : e.running        ? "Running"
                                                   : "Waiting"}};
  if (!e.qualifier.empty()) j["Qualifier"] = e.qualifier;
  if (!e.running && e.failure.empty() && e.next_attempt_ms) {
    j["NextAttempt"] = iso8601_ms(e.next_attempt_ms);
  }
  if (!e.failure.empty()) j["Condition"] = e.failure;
  if (!e.last_error.empty()) j["LastError"] = e.last_error;
  return j;
}

}  // namespace

http::asio::awaitable<http::Response> list_events(ApiState& api, Call& call) {
  const std::string state = query_param(call.query, "State");
  if (!state.empty() && state != "Failed" && state != "Pending") {
    throw errors::invalid_parameter("State must be Pending or Failed");
  }
  size_t limit = 1000;
  if (const std::string max = query_param(call.query, "MaxItems"); !max.empty()) {
    auto [end, ec] = std::from_chars(max.data(), max.data() + max.size(), limit);
    if (ec != std::errc() || end != max.data() + max.size() || limit < 1 || limit > 10000) {
      throw errors::invalid_parameter("MaxItems must be an integer from 1 to 10000");
    }
  }
  async::AsyncInvoker& async = async_of(api);
  const std::vector<async::EventSummary> events = co_await async.list(state == "Failed", limit);
  nlohmann::json list = nlohmann::json::array();
  for (const async::EventSummary& e : events) list.push_back(event_json(e));
  co_return json_response(call.request, 200, {{"Events", std::move(list)}}, call.request_id);
}

http::asio::awaitable<http::Response> redrive_events(ApiState& api, Call& call) {
  std::vector<int64_t> seqs;
  if (!call.request.body().empty()) {
    const nlohmann::json body = nlohmann::json::parse(call.request.body(), nullptr, false);
    const nlohmann::json* given = body.is_object() ? &body : nullptr;
    if (!given) throw errors::invalid_request_content("The body must be a JSON object");
    if (auto it = given->find("Seqs"); it != given->end()) {
      if (!it->is_array()) throw errors::invalid_request_content("Seqs must be a list of numbers");
      for (const auto& seq : *it) {
        if (!seq.is_number_integer()) {
          throw errors::invalid_request_content("Seqs must be a list of numbers");
        }
        seqs.push_back(seq.get<int64_t>());
      }
    }
  }
  async::AsyncInvoker& async = async_of(api);
  const int64_t moved = co_await async.redrive(std::move(seqs));
  co_return json_response(call.request, 200, {{"Redriven", moved}}, call.request_id);
}

http::asio::awaitable<http::Response> purge_failed_events(ApiState& api, Call& call) {
  async::AsyncInvoker& async = async_of(api);
  const int64_t purged = co_await async.purge_parked();
  co_return json_response(call.request, 200, {{"Purged", purged}}, call.request_id);
}

}  // namespace lambdad::control_api
