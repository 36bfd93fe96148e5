#include "lambdad/control_api/control_api.hpp"

#include "lambdad/auth/auth_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/store/store.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

using http::bhttp::verb;

/// Every operation of the lambda port. Anything else answers 404 UnknownOperationException, as
/// Lambda does for an operation it does not know (after the signature check: AWS answers an
/// unsigned request 403 whatever its path). The last column says who may call it (router.hpp's
/// Access): Invoke is the data plane; /healthz, /metrics and the code download are open (the
/// downloads' URLs carry their own signature, as AWS's presigned one); a row without the column is
/// management.
constexpr Route kRoutes[] = {
    {verb::post, "/2015-03-31/functions/{}/invocations", invoke, Access::kData},
    {verb::get, "/2015-03-31/functions/?", list_functions, Access::kManage},
    {verb::post, "/2015-03-31/functions/?", create_function, Access::kManage},
    {verb::get, "/2015-03-31/functions/{}/?", get_function, Access::kManage},
    {verb::delete_, "/2015-03-31/functions/{}/?", delete_function, Access::kManage},
    {verb::get, "/2015-03-31/functions/{}/configuration", get_function_configuration,
     Access::kManage},
    {verb::put, "/2015-03-31/functions/{}/configuration", update_function_configuration,
     Access::kManage},
    {verb::put, "/2015-03-31/functions/{}/code", update_function_code, Access::kManage},
    {verb::put, "/2017-10-31/functions/{}/concurrency", put_function_concurrency, Access::kManage},
    {verb::get, "/2019-09-30/functions/{}/concurrency", get_function_concurrency, Access::kManage},
    {verb::delete_, "/2017-10-31/functions/{}/concurrency", delete_function_concurrency,
     Access::kManage},
    {verb::get, "/2016-08-19/account-settings/?", get_account_settings, Access::kManage},
    {verb::put, "/2019-09-30/functions/{}/provisioned-concurrency", put_provisioned_concurrency,
     Access::kManage},
    // Get, and ListProvisionedConcurrencyConfigs with `?List=ALL` (AWS's path for both).
    {verb::get, "/2019-09-30/functions/{}/provisioned-concurrency", get_provisioned_concurrency,
     Access::kManage},
    {verb::delete_, "/2019-09-30/functions/{}/provisioned-concurrency",
     delete_provisioned_concurrency, Access::kManage},
    {verb::post, "/2015-03-31/functions/{}/versions", publish_version, Access::kManage},
    {verb::get, "/2015-03-31/functions/{}/versions", list_versions, Access::kManage},
    {verb::post, "/2015-03-31/functions/{}/aliases", create_alias, Access::kManage},
    {verb::get, "/2015-03-31/functions/{}/aliases", list_aliases, Access::kManage},
    {verb::get, "/2015-03-31/functions/{}/aliases/{}", get_alias, Access::kManage},
    {verb::put, "/2015-03-31/functions/{}/aliases/{}", update_alias, Access::kManage},
    {verb::delete_, "/2015-03-31/functions/{}/aliases/{}", delete_alias, Access::kManage},
    {verb::get, "/_lambdad/code/{}", download_code, Access::kOpen},
    {verb::post, "/2017-03-31/tags/{}", tag_resource, Access::kManage},
    {verb::delete_, "/2017-03-31/tags/{}", untag_resource, Access::kManage},
    {verb::get, "/2017-03-31/tags/{}", list_tags, Access::kManage},
    {verb::post, "/2015-03-31/functions/{}/policy", add_permission, Access::kManage},
    {verb::get, "/2015-03-31/functions/{}/policy", get_policy, Access::kManage},
    {verb::delete_, "/2015-03-31/functions/{}/policy/{}", remove_permission, Access::kManage},
    {verb::put, "/2019-09-25/functions/{}/event-invoke-config", put_event_invoke_config,
     Access::kManage},
    {verb::post, "/2019-09-25/functions/{}/event-invoke-config", update_event_invoke_config,
     Access::kManage},
    {verb::get, "/2019-09-25/functions/{}/event-invoke-config", get_event_invoke_config,
     Access::kManage},
    {verb::delete_, "/2019-09-25/functions/{}/event-invoke-config", delete_event_invoke_config,
     Access::kManage},
    {verb::get, "/2019-09-25/functions/{}/event-invoke-config/list", list_event_invoke_configs,
     Access::kManage},
    {verb::get, "/2018-10-31/layers/?", list_layers, Access::kManage},  // and GetLayerVersionByArn
    {verb::get, "/2018-10-31/layers/{}/versions", list_layer_versions, Access::kManage},
    {verb::post, "/2018-10-31/layers/{}/versions", publish_layer_version, Access::kManage},
    {verb::get, "/2018-10-31/layers/{}/versions/{}", get_layer_version, Access::kManage},
    {verb::delete_, "/2018-10-31/layers/{}/versions/{}", delete_layer_version, Access::kManage},
    {verb::get, "/_lambdad/layers/{}/{}", download_layer, Access::kOpen},
    {verb::post, "/", logs_call, Access::kManage},  // X-Amz-Target: Logs_20140328.<Op>
    {verb::get, "/healthz", healthz, Access::kOpen},
    {verb::get, "/metrics", metrics, Access::kOpen},
    {verb::post, "/_lambdad/deploy", run_deploy, Access::kManage},
    {verb::get, "/_lambdad/events", list_events},
    {verb::post, "/_lambdad/events/redrive", redrive_events},
    {verb::delete_, "/_lambdad/events/failed", purge_failed_events},
};

/// The Lambda API's other operations, by AWS's paths: each answers 404 UnknownOperationException
/// naming itself. A row moves to kRoutes when lambdad implements it.
constexpr Unsupported kUnsupported[] = {
    {verb::post, "/2018-10-31/layers/{}/versions/{}/policy", "AddLayerVersionPermission"},
    {verb::get, "/2018-10-31/layers/{}/versions/{}/policy", "GetLayerVersionPolicy"},
    {verb::post, "/2015-03-31/event-source-mappings/?", "CreateEventSourceMapping"},
    {verb::get, "/2015-03-31/event-source-mappings/?", "ListEventSourceMappings"},
    {verb::get, "/2015-03-31/event-source-mappings/{}", "GetEventSourceMapping"},
    {verb::put, "/2015-03-31/event-source-mappings/{}", "UpdateEventSourceMapping"},
    {verb::delete_, "/2015-03-31/event-source-mappings/{}", "DeleteEventSourceMapping"},
    {verb::post, "/2021-10-31/functions/{}/url", "CreateFunctionUrlConfig"},
    {verb::get, "/2021-10-31/functions/{}/url", "GetFunctionUrlConfig"},
    {verb::put, "/2021-10-31/functions/{}/url", "UpdateFunctionUrlConfig"},
    {verb::delete_, "/2021-10-31/functions/{}/url", "DeleteFunctionUrlConfig"},
    {verb::get, "/2021-10-31/functions/{}/urls", "ListFunctionUrlConfigs"},
    {verb::post, "/2021-11-15/functions/{}/response-streaming-invocations",
     "InvokeWithResponseStream"},
    {verb::post, "/2014-11-13/functions/{}/invoke-async/?", "InvokeAsync"},
    {verb::get, "/2021-07-20/functions/{}/runtime-management-config", "GetRuntimeManagementConfig"},
    {verb::put, "/2021-07-20/functions/{}/runtime-management-config", "PutRuntimeManagementConfig"},
    {verb::get, "/2020-06-30/functions/{}/code-signing-config", "GetFunctionCodeSigningConfig"},
    {verb::put, "/2020-06-30/functions/{}/code-signing-config", "PutFunctionCodeSigningConfig"},
    {verb::delete_, "/2020-06-30/functions/{}/code-signing-config",
     "DeleteFunctionCodeSigningConfig"},
    {verb::post, "/2020-04-22/code-signing-configs/?", "CreateCodeSigningConfig"},
    {verb::get, "/2020-04-22/code-signing-configs/?", "ListCodeSigningConfigs"},
    {verb::get, "/2024-08-31/functions/{}/recursion-config", "GetFunctionRecursionConfig"},
    {verb::put, "/2024-08-31/functions/{}/recursion-config", "PutFunctionRecursionConfig"},
};

}  // namespace

ControlApi::ControlApi(scheduler::Scheduler& scheduler, std::filesystem::path db_file)
    : state_(std::make_unique<ApiState>(scheduler, std::move(db_file))) {}

ControlApi::~ControlApi() {
  state_->readers.join();
  state_->reader.reset();
}

void ControlApi::set_registry(registry::Registry& registry) {
  state_->registry = &registry;
}

void ControlApi::set_async(async::AsyncInvoker& async) {
  state_->async = &async;
}

void ControlApi::set_access(AccessOptions options) {
  state_->access = std::move(options);
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
  handler->handle_from = [this](http::Request& request, const http::Peer& peer) {
    return route(request, peer);
  };
  return handler;
}

http::asio::awaitable<http::Response> ControlApi::route(http::Request& request,
                                                        const http::Peer& peer) {
  std::string_view target = request.target();
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  Call call{.request = request,
            .query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
            .params = {},
            .request_id = new_request_id()};
  const Route* found = nullptr;
  for (const Route& route : kRoutes) {
    if (route.method == request.method() && match_path(route.path, path, call.params)) {
      found = &route;
      break;
    }
  }
  try {
    // An operation lambdad does not run needs a signature too, and then is unknown to workers
    // as to anyone.
    check_access(*state_, request, peer, found ? found->access : Access::kData);
    if (!found) {
      for (const Unsupported& row : kUnsupported) {
        if (row.method == request.method() && match_path(row.path, path, call.params)) {
          throw unsupported_operation(row.operation);
        }
      }
      throw unknown_operation();
    }
    co_return co_await found->handler(*state_, call);
  } catch (const auth::AuthError& e) {
    const bool json11 = is_json11(request);
    const AwsError error =
        auth::to_aws_error(e, json11 ? auth::Protocol::kJson11 : auth::Protocol::kRestJson);
    co_return json11 ? http::json11_error(request, error, call.request_id)
                     : http::lambda_error(request, error, call.request_id);
  } catch (const AwsError& e) {
    co_return http::lambda_error(request, e, call.request_id);
  }
}

}  // namespace lambdad::control_api
