// The CloudWatch Logs API (POST / with X-Amz-Target: Logs_20140328.<Op>), answered from the
// ControlApi's reader thread.

#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lambdad/control_api/logs_api.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/store/store.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

namespace asio = boost::asio;

using LogsOutcome = std::pair<nlohmann::json, std::optional<AwsError>>;

// A coroutine function, not a capturing lambda: its parameters live in the coroutine frame,
// whereas a lambda's captures die with the lambda object before co_spawn runs the body.
asio::awaitable<LogsOutcome> query_logs(ApiState* api, std::string operation, nlohmann::json body) {
  try {
    if (!api->reader) api->reader = store::LogReader::open(api->db_file);
    co_return LogsOutcome{handle_logs_call(operation, body, *api->reader), std::nullopt};
  } catch (const AwsError& e) {
    co_return LogsOutcome{nlohmann::json(), e};
  } catch (const std::exception& e) {
    co_return LogsOutcome{nlohmann::json(), errors::service(e.what())};
  }
}

}  // namespace

http::asio::awaitable<http::Response> logs_call(ApiState& api, Call& call) {
  http::Request& request = call.request;
  if (!request["X-Amz-Target"].starts_with(kLogsTargetPrefix)) throw unknown_operation();
  const std::string& request_id = call.request_id;
  std::string operation(request["X-Amz-Target"].substr(kLogsTargetPrefix.size()));
  auto body = nlohmann::json::parse(request.body().empty() ? "{}" : request.body(), nullptr, false);
  if (body.is_discarded()) {
    co_return http::json11_error(
        request, AwsError(400, "SerializationException", "Request body is not valid JSON"),
        request_id);
  }
  // The query blocks on SQLite: run it on the reader thread and come back here with the result.
  auto outcome = co_await asio::co_spawn(
      api.readers, query_logs(&api, std::move(operation), std::move(body)), asio::use_awaitable);
  if (outcome.second) co_return http::json11_error(request, *outcome.second, request_id);
  auto r = http::make_response(request, 200, http::dump_lenient(outcome.first), kLogsContentType);
  r.set("x-amzn-RequestId", request_id);
  co_return r;
}

}  // namespace lambdad::control_api
