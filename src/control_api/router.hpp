#pragma once
// The lambda port's routing: one row per operation (method, path pattern, handler), the rows in
// control_api.cpp's table, each API group's handlers in its own *_routes.cpp. A new group
// (versions, aliases, …) is a new file and its rows.

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/control_api/control_api.hpp"
#include "lambdad/control_api/request_routing.hpp"
#include "lambdad/http/server.hpp"
#include "lambdad/store/store.hpp"

namespace lambdad::registry {
class Registry;
}

namespace lambdad::control_api {

/// 32 random bytes (OpenSSL's RAND_bytes).
std::string random_key();

/// What the handlers share: the ControlApi's state.
struct ApiState {
  ApiState(scheduler::Scheduler& scheduler, std::filesystem::path db_file)
      : scheduler(scheduler), db_file(std::move(db_file)) {}

  scheduler::Scheduler& scheduler;
  registry::Registry* registry = nullptr;  ///< what functions are; null: no write API
  async::AsyncInvoker* async = nullptr;    ///< Event invokes; null: they answer ServiceException
  std::filesystem::path db_file;
  AccessOptions access;  ///< who may call what (access.cpp)
  ControlApi::DeployHook deploy;
  std::vector<std::function<std::string()>> more_metrics;
  std::vector<std::function<std::optional<std::string>()>> health_checks;
  /// SQLite reads and parsing uploads block: never on the io thread.
  boost::asio::thread_pool readers{1};
  /// Signs GetFunction's Code.Location URLs (function_routes.cpp): random, made at start.
  std::string code_url_key = random_key();
  std::unique_ptr<store::LogReader> reader;  ///< used on `readers` only
};

/// One request as a handler gets it.
struct Call {
  http::Request& request;
  std::string_view query;                  ///< after '?', still percent-encoded
  std::array<std::string_view, 2> params;  ///< the path's `{}` segments, still percent-encoded
  std::string request_id;
};

using Handler = http::asio::awaitable<http::Response> (*)(ApiState& api, Call& call);

/// Who may call an operation: the route table's access column.
enum class Access {
  /// Everything but the data plane (the default, so a row that forgets its column is guarded):
  /// writes, deploys, and reads of configuration and logs, which an execution role on AWS does
  /// not grant either. Signed callers; a worker only with --allow-worker-control.
  kManage,
  /// What a function's execution role typically allows (Invoke): any signed caller, workers too.
  kData,
  /// /healthz and /metrics: no signature, anyone who reaches the port.
  kOpen,
};

struct Route {
  http::bhttp::verb method;
  /// Literal segments and `{}` for any one segment; a final `/?` allows a trailing slash.
  std::string_view path;
  Handler handler;
  Access access = Access::kManage;
};

/// An operation of the Lambda API that lambdad does not implement: answered as Lambda answers
/// an operation it does not know, naming it.
struct Unsupported {
  http::bhttp::verb method;
  std::string_view path;       ///< as Route::path
  std::string_view operation;  ///< e.g. PublishVersion
};

/// Throws auth::AuthError when the request may not call an operation of `access` (access.cpp):
/// its signature when credentials are configured, then the worker rule for kManage.
void check_access(ApiState& api, http::Request& request, const http::Peer& peer, Access access);
/// Whether the request speaks AWS JSON 1.1 (CloudWatch Logs) rather than Lambda's REST JSON.
bool is_json11(const http::RequestHeader& header);

/// 404 UnknownOperationException: what Lambda answers to an operation lambdad does not implement.
AwsError unknown_operation();
/// The same, naming the operation: "lambdad does not support the Lambda operation X".
AwsError unsupported_operation(std::string_view operation);
http::Response json_response(const http::Request& request, unsigned status,
                             const nlohmann::json& body, std::string_view request_id);

/// A function (and qualifier) a stored operation's path names (stored_target.cpp): its exact
/// name, the qualifier from the name or `?Qualifier=` (InvalidParameterValueException when both
/// differ). ResourceNotFoundException for an unknown function, or a qualifier the scheduler does
/// not resolve.
struct StoredTarget {
  std::string name;
  std::string qualifier;  ///< "" when none was given
};
StoredTarget stored_target(ApiState& api, std::string_view text, const std::string& qualifier);
registry::Registry& registry_of(ApiState& api);

// invoke_routes.cpp
http::asio::awaitable<http::Response> invoke(ApiState& api, Call& call);
// body_policy and body_too_large: request_routing.hpp
// function_routes.cpp
http::asio::awaitable<http::Response> list_functions(ApiState& api, Call& call);
http::asio::awaitable<http::Response> get_function(ApiState& api, Call& call);
http::asio::awaitable<http::Response> get_function_configuration(ApiState& api, Call& call);
http::asio::awaitable<http::Response> create_function(ApiState& api, Call& call);
http::asio::awaitable<http::Response> update_function_code(ApiState& api, Call& call);
http::asio::awaitable<http::Response> update_function_configuration(ApiState& api, Call& call);
http::asio::awaitable<http::Response> delete_function(ApiState& api, Call& call);
http::asio::awaitable<http::Response> download_code(ApiState& api, Call& call);
// concurrency_routes.cpp
http::asio::awaitable<http::Response> put_function_concurrency(ApiState& api, Call& call);
http::asio::awaitable<http::Response> get_function_concurrency(ApiState& api, Call& call);
http::asio::awaitable<http::Response> delete_function_concurrency(ApiState& api, Call& call);
// account_routes.cpp
http::asio::awaitable<http::Response> get_account_settings(ApiState& api, Call& call);

// provisioned_routes.cpp
http::asio::awaitable<http::Response> put_provisioned_concurrency(ApiState& api, Call& call);
/// GetProvisionedConcurrencyConfig, or ListProvisionedConcurrencyConfigs with `?List=ALL`.
http::asio::awaitable<http::Response> get_provisioned_concurrency(ApiState& api, Call& call);
http::asio::awaitable<http::Response> delete_provisioned_concurrency(ApiState& api, Call& call);
// version_routes.cpp
http::asio::awaitable<http::Response> publish_version(ApiState& api, Call& call);
http::asio::awaitable<http::Response> list_versions(ApiState& api, Call& call);
// alias_routes.cpp
http::asio::awaitable<http::Response> create_alias(ApiState& api, Call& call);
http::asio::awaitable<http::Response> get_alias(ApiState& api, Call& call);
http::asio::awaitable<http::Response> list_aliases(ApiState& api, Call& call);
http::asio::awaitable<http::Response> update_alias(ApiState& api, Call& call);
http::asio::awaitable<http::Response> delete_alias(ApiState& api, Call& call);
// logs_routes.cpp
http::asio::awaitable<http::Response> logs_call(ApiState& api, Call& call);
// metrics_routes.cpp
http::asio::awaitable<http::Response> healthz(ApiState& api, Call& call);
http::asio::awaitable<http::Response> metrics(ApiState& api, Call& call);
// tag_routes.cpp
http::asio::awaitable<http::Response> tag_resource(ApiState& api, Call& call);
http::asio::awaitable<http::Response> untag_resource(ApiState& api, Call& call);
http::asio::awaitable<http::Response> list_tags(ApiState& api, Call& call);
// policy_routes.cpp
http::asio::awaitable<http::Response> add_permission(ApiState& api, Call& call);
http::asio::awaitable<http::Response> get_policy(ApiState& api, Call& call);
http::asio::awaitable<http::Response> remove_permission(ApiState& api, Call& call);
// event_invoke_config_routes.cpp
http::asio::awaitable<http::Response> put_event_invoke_config(ApiState& api, Call& call);
http::asio::awaitable<http::Response> update_event_invoke_config(ApiState& api, Call& call);
http::asio::awaitable<http::Response> get_event_invoke_config(ApiState& api, Call& call);
http::asio::awaitable<http::Response> delete_event_invoke_config(ApiState& api, Call& call);
http::asio::awaitable<http::Response> list_event_invoke_configs(ApiState& api, Call& call);
// layer_routes.cpp
http::asio::awaitable<http::Response> publish_layer_version(ApiState& api, Call& call);
http::asio::awaitable<http::Response> get_layer_version(ApiState& api, Call& call);
http::asio::awaitable<http::Response> delete_layer_version(ApiState& api, Call& call);
http::asio::awaitable<http::Response> list_layer_versions(ApiState& api, Call& call);
http::asio::awaitable<http::Response> list_layers(ApiState& api, Call& call);
http::asio::awaitable<http::Response> download_layer(ApiState& api, Call& call);
// deploy_routes.cpp
http::asio::awaitable<http::Response> run_deploy(ApiState& api, Call& call);
// event_routes.cpp (`lambdad events`)
http::asio::awaitable<http::Response> list_events(ApiState& api, Call& call);
http::asio::awaitable<http::Response> redrive_events(ApiState& api, Call& call);
http::asio::awaitable<http::Response> purge_failed_events(ApiState& api, Call& call);

}  // namespace lambdad::control_api
