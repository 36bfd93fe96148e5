#include "lambdad/control_api/control_api.hpp"

#include "lambdad/common/ids.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/store/store.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

using http::bhttp::verb;

/// Every operation of the lambda port. Anything else answers 404 UnknownOperationException, as
/// Lambda does for an operation it does not know.
constexpr Route kRoutes[] = {
    {verb::post, "/2015-03-31/functions/{}/invocations", invoke},
    {verb::get, "/2015-03-31/functions/?", list_functions},
    {verb::get, "/2015-03-31/functions/{}/?", get_function},
    {verb::get, "/2015-03-31/functions/{}/configuration", get_function_configuration},
    {verb::post, "/", logs_call},  // X-Amz-Target: Logs_20140328.<Op>
    {verb::get, "/healthz", healthz},
    {verb::get, "/metrics", metrics},
    {verb::post, "/_lambdad/deploy", run_deploy},
};

}  // namespace

ControlApi::ControlApi(scheduler::Scheduler& scheduler, std::filesystem::path db_file)
    : state_(std::make_unique<ApiState>(scheduler, std::move(db_file))) {}

ControlApi::~ControlApi() {
  state_->readers.join();
  state_->reader.reset();
}

void ControlApi::set_deploy_hook(DeployHook hook) {
  state_->deploy = std::move(hook);
}

void ControlApi::add_metrics(std::function<std::string()> lines) {
  state_->more_metrics.push_back(std::move(lines));
}

void ControlApi::add_health_check(std::function<std::optional<std::string>()> check) {
  state_->health_checks.push_back(std::move(check));
}

std::shared_ptr<const http::Handler> ControlApi::handler() {
  auto handler = std::make_shared<http::Handler>();
  handler->body_policy = body_policy;
  handler->body_too_large = body_too_large;
  handler->protocol_error = http::lambda_protocol_error;
  handler->handle = [this](http::Request& request) { return route(request); };
  return handler;
}

http::asio::awaitable<http::Response> ControlApi::route(http::Request& request) {
  std::string_view target = request.target();
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  Call call{.request = request,
            .query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
            .params = {},
            .request_id = new_request_id()};
  try {
    for (const Route& route : kRoutes) {
      if (route.method == request.method() && match_path(route.path, path, call.params)) {
        co_return co_await route.handler(*state_, call);
      }
    }
    throw unknown_operation();
  } catch (const AwsError& e) {
    co_return http::lambda_error(request, e, call.request_id);
  }
}

}  // namespace lambdad::control_api
