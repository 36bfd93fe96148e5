// The concurrency group: PutFunctionConcurrency, GetFunctionConcurrency and
// DeleteFunctionConcurrency. The registry keeps the reservation and checks it against the
// server's limit; it hands the scheduler the new reservation, which takes effect at once and
// keeps the function's warm workers.

#include "lambdad/control_api/concurrency_request.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/registry/registry.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

/// The exact name of the function a concurrency path names (a name, an ARN, a template's logical
/// id); ResourceNotFoundException when there is none.
std::string target(ApiState& api, std::string_view text) {
  const std::string name = concurrency_function_name(text);
  if (registry_of(api).find(name)) return name;
  return api.scheduler.describe(name, "").config.name;
}

}  // namespace

http::asio::awaitable<http::Response> put_function_concurrency(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string text = path_param(call.params[0]);
  (void)concurrency_function_name(text);  // the name's shape before the body's
  const int reserved = reserved_concurrency(parse_body(call.request.body()));
  // Named, never a temporary of a co_await expression (GCC 12 may destroy those twice).
  std::string name = target(api, text);
  const int set = co_await registry.put_concurrency(std::move(name), reserved);
  co_return json_response(call.request, 200, {{"ReservedConcurrentExecutions", set}},
                          call.request_id);
}

http::asio::awaitable<http::Response> get_function_concurrency(ApiState& api, Call& call) {
  const std::optional<int> reserved =
      registry_of(api).reserved_concurrency(target(api, path_param(call.params[0])));
  nlohmann::json body = nlohmann::json::object();
  if (reserved) body["ReservedConcurrentExecutions"] = *reserved;
  co_return json_response(call.request, 200, body, call.request_id);
}

http::asio::awaitable<http::Response> delete_function_concurrency(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::string name = target(api, path_param(call.params[0]));
  co_await registry.delete_concurrency(std::move(name));
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  co_return r;
}

}  // namespace lambdad::control_api
