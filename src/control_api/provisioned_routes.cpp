// The provisioned concurrency group: Put (202), Get, Delete (204) and List (`GET
// …/provisioned-concurrency?List=ALL`, the same path as Get). The registry keeps the configs and
// hands the scheduler each version's floor; the status comes from the scheduler's Stats snapshot
// (its initialised workers per version), never from its pools.

#include <limits>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/platform_log.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/control_api/request_routing.hpp"
#include "lambdad/registry/registry.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "paging.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

AwsError validation(const std::string& value, const std::string& field, const std::string& rule) {
  return {400, "ValidationException",
          "1 validation error detected: Value " + value + " at '" + field +
              "' failed to satisfy constraint: " + rule,
          AwsError::Key::kmessage};
}

/// ProvisionedConcurrentExecutions: required, an integer of at least 1 (a huge one is kept at
/// INT_MAX, which the limits then refuse).
int requested_executions(const nlohmann::json& body) {
  const auto it = body.find("ProvisionedConcurrentExecutions");
  if (it == body.end() || it->is_null()) {
    throw validation("null", "provisionedConcurrentExecutions", "Member must not be null");
  }
  if (!it->is_number_integer()) {
    throw errors::invalid_request_content(
        "Could not parse request body into json: field ProvisionedConcurrentExecutions must be "
        "an integer");
  }
  constexpr int kMax = std::numeric_limits<int>::max();
  if (it->is_number_unsigned()) {
    const auto n = it->get<uint64_t>();
    if (n == 0) {
      throw validation("'0'", "provisionedConcurrentExecutions",
                       "Member must have value greater than or equal to 1");
    }
    return n > static_cast<uint64_t>(kMax) ? kMax : static_cast<int>(n);
  }
  const auto n = it->get<int64_t>();
  if (n < 1) {
    throw validation("'" + std::to_string(n) + "'", "provisionedConcurrentExecutions",
                     "Member must have value greater than or equal to 1");
  }
  return n > kMax ? kMax : static_cast<int>(n);
}

/// Each version's initialised workers, from the scheduler's snapshot.
std::map<std::string, size_t> initialized_of(ApiState& api, const std::string& name) {
  std::map<std::string, size_t> initialized;
  for (const scheduler::FunctionStats& f : api.scheduler.stats().functions) {
    if (f.name != name) continue;
    for (const scheduler::VersionStats& v : f.versions) initialized[v.version] = v.initialized;
  }
  return initialized;
}

nlohmann::json config_json(const registry::ProvisionedConfig& config,
                           const std::map<std::string, size_t>& initialized) {
  const registry::ProvisionedStatus status = registry::provisioned_status(config, initialized);
  const std::string time = iso8601_ms(config.last_modified_ms);
  return {{"RequestedProvisionedConcurrentExecutions", config.requested},
          {"AvailableProvisionedConcurrentExecutions", status.allocated},
          {"AllocatedProvisionedConcurrentExecutions", status.allocated},
          {"Status", status.status},
          {"LastModified", time.substr(0, time.size() - 1) + "+0000"}};
}

http::asio::awaitable<http::Response> list(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target = stored_target(api, path_param(call.params[0]), "");
  if (max_items(call.query) > 50) {
    throw validation("'" + query_param(call.query, "MaxItems") + "'", "maxItems",
                     "Member must have value less than or equal to 50");
  }
  const std::map<std::string, size_t> initialized = initialized_of(api, target.name);
  PageEntries entries;
  for (const registry::ProvisionedConfig& config : registry.provisioned_configs(target.name)) {
    nlohmann::json item = config_json(config, initialized);
    item["FunctionArn"] = function_arn(target.name, config.qualifier);
    entries.emplace_back(config.qualifier, std::move(item));
  }
  co_return json_response(call.request, 200,
                          page(std::move(entries), call.query, "ProvisionedConcurrencyConfigs"),
                          call.request_id);
}

}  // namespace

http::asio::awaitable<http::Response> put_provisioned_concurrency(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  const int requested = requested_executions(parse_body(call.request.body()));
  // Named, never temporaries of a co_await expression (GCC 12 may destroy those twice).
  std::string name = target.name, qualifier = target.qualifier;
  const registry::ProvisionedConfig config =
      co_await registry.put_provisioned(std::move(name), std::move(qualifier), requested);
  co_return json_response(call.request, 202, config_json(config, initialized_of(api, target.name)),
                          call.request_id);
}

http::asio::awaitable<http::Response> get_provisioned_concurrency(ApiState& api, Call& call) {
  if (query_param(call.query, "List") == "ALL") co_return co_await list(api, call);
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  const auto config = registry.provisioned_config(target.name, target.qualifier);
  if (!config) {
    throw AwsError(404, "ProvisionedConcurrencyConfigNotFoundException",
                   "No Provisioned Concurrency Config found for this function");
  }
  co_return json_response(call.request, 200, config_json(*config, initialized_of(api, target.name)),
                          call.request_id);
}

http::asio::awaitable<http::Response> delete_provisioned_concurrency(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  std::string name = target.name, qualifier = target.qualifier;
  co_await registry.delete_provisioned(std::move(name), std::move(qualifier));
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  co_return r;
}

}  // namespace lambdad::control_api
