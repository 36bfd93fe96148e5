// The account group: GetAccountSettings, with the server's own figures: its concurrency limit
// (`serve --max-concurrency`) and what reservations leave of it, AWS's default code-size quotas,
// and the code the registry keeps and the functions it serves.

#include "lambdad/registry/concurrency.hpp"
#include "lambdad/registry/registry.hpp"
#include "router.hpp"

namespace lambdad::control_api {

http::asio::awaitable<http::Response> get_account_settings(ApiState& api, Call& call) {
  if (!api.registry) throw errors::service("this server has no function registry");
  const registry::AccountFigures figures = api.registry->account();
  const nlohmann::json body = {
      {"AccountLimit",
       {{"TotalCodeSize", registry::kTotalCodeSizeLimit},
        {"CodeSizeUnzipped", registry::kCodeSizeUnzippedLimit},
        {"CodeSizeZipped", registry::kCodeSizeZippedLimit},
        {"ConcurrentExecutions", figures.concurrency_limit},
        {"UnreservedConcurrentExecutions", figures.unreserved}}},
      {"AccountUsage",
       {{"TotalCodeSize", figures.code_bytes}, {"FunctionCount", figures.function_count}}},
  };
  co_return json_response(call.request, 200, body, call.request_id);
}

}  // namespace lambdad::control_api
