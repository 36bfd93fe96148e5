// The functions group: ListFunctions, GetFunction, GetFunctionConfiguration, CreateFunction,
// UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction, and the download behind
// GetFunction's Code.Location. Reads answer from the registry (what a function is, its versions
// and aliases: function_lookup.hpp); writes go to the registry, which hands the result to the
// scheduler.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "download_urls.hpp"
#include "function_lookup.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/regex.hpp"
#include "lambdad/control_api/function_json.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/registry/registry.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "paging.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

namespace asio = boost::asio;

/// JSON parsing and base64 decoding of up to 70 MB: on the API's helper thread, not the io
/// thread.
template <typename T>
asio::awaitable<T> parse_job(std::function<T()> job) {
  co_return job();
}
template <typename T>
asio::awaitable<T> off_io(ApiState& api, std::function<T()> job) {
  co_return co_await asio::co_spawn(api.readers, parse_job<T>(std::move(job)), asio::use_awaitable);
}

// The parsing jobs are made in plain functions: GCC 12 miscompiles a lambda's copying captures
// written inside a coroutine.
std::function<registry::CreateRequest()> parse_create(std::string body) {
  return [body = std::move(body)] { return create_request(parse_body(body)); };
}
std::function<CodeUpdate()> parse_code_update(std::string body) {
  return [body = std::move(body)] { return code_update(parse_body(body)); };
}

/// ListFunctions' order and Marker: a function's $LATEST, then its versions.
std::string list_key(const std::string& name, const std::string& version) {
  if (version == "$LATEST") return name;
  return name + "!" + version_key(version);  // '!' sorts before every character of a name
}

}  // namespace

registry::Registry& registry_of(ApiState& api) {
  if (!api.registry) throw errors::service("this server has no function registry");
  return *api.registry;
}

http::asio::awaitable<http::Response> list_functions(ApiState& api, Call& call) {
  const std::string all = query_param(call.query, "FunctionVersion");
  const std::string master_region = query_param(call.query, "MasterRegion");
  if (!all.empty() && all != "ALL") {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value '" + all +
                       "' at 'functionVersion' failed to satisfy constraint: Member must satisfy "
                       "enum value set: [ALL]",
                   AwsError::Key::kmessage);
  }
  if (!master_region.empty()) {
    static const std::regex region(R"(ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1})");
    if (master_region.size() > 32 || !std::regex_match(master_region, region)) {
      throw AwsError(400, "ValidationException",
                     "1 validation error detected: Value '" + master_region +
                         "' at 'masterRegion' failed to satisfy constraint: Member must satisfy "
                         "regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}",
                     AwsError::Key::kmessage);
    }
    // Lambda@Edge replicas: lambdad has none, so the list is the functions themselves.
    if (all != "ALL") {
      throw errors::invalid_parameter("FunctionVersion must be ALL when MasterRegion is given");
    }
  }
  PageEntries entries;
  const auto add = [&](const scheduler::FunctionInfo& info, const registry::FunctionRecord* r) {
    entries.emplace_back(list_key(info.config.name, info.version), function_configuration(info, r));
  };
  if (api.registry) {
    for (const auto& latest : api.registry->list()) {
      const auto versions = all == "ALL" ? api.registry->versions(latest.config.name)
                                         : std::vector<registry::FunctionRecord>{latest};
      for (const auto& version : versions) {
        try {
          Described d = describe(api, latest.config.name, version.version);
          add(d.info, &*d.record);
        } catch (const AwsError&) {
          add(info_of(version), &version);  // made a moment ago; the scheduler takes it next
        }
      }
    }
  } else {
    for (const auto& info : api.scheduler.list()) add(info, nullptr);
  }
  const nlohmann::json body = page(std::move(entries), call.query, "Functions");
  co_return json_response(call.request, 200, body, call.request_id);
}

http::asio::awaitable<http::Response> get_function(ApiState& api, Call& call) {
  Described d = describe(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  const auto body = control_api::get_function(
      d.info, d.record ? &*d.record : nullptr,
      signed_url(api, call, "/_lambdad/code/" + d.info.config.name, d.info.config.name));
  co_return json_response(call.request, 200, body, call.request_id);
}

http::asio::awaitable<http::Response> get_function_configuration(ApiState& api, Call& call) {
  Described d = describe(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  co_return json_response(call.request, 200,
                          function_configuration(d.info, d.record ? &*d.record : nullptr),
                          call.request_id);
}

http::asio::awaitable<http::Response> create_function(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::function<registry::CreateRequest()> parse = parse_create(std::move(call.request.body()));
  auto request = co_await off_io<registry::CreateRequest>(api, std::move(parse));
  // With Publish, the answer is version 1's.
  const registry::FunctionRecord record = co_await registry.create(std::move(request));
  co_return json_response(call.request, 201, function_configuration(info_of(record), &record),
                          call.request_id);
}

http::asio::awaitable<http::Response> update_function_code(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::string name = function_name(api, path_param(call.params[0]));
  std::function<CodeUpdate()> parse = parse_code_update(std::move(call.request.body()));
  auto update = co_await off_io<CodeUpdate>(api, std::move(parse));
  // With Publish, the answer is the new version's.
  const registry::FunctionRecord record = co_await registry.update_code(
      std::move(name), std::move(update.zip), update.revision_id, update.dry_run, update.publish);
  co_return json_response(call.request, 200, function_configuration(info_of(record), &record),
                          call.request_id);
}

http::asio::awaitable<http::Response> update_function_configuration(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::string name = function_name(api, path_param(call.params[0]));
  ConfigurationUpdate update = configuration_update(parse_body(call.request.body()));
  const registry::FunctionRecord record = co_await registry.update_configuration(
      std::move(name), std::move(update.patch), update.revision_id);
  co_return json_response(call.request, 200, function_configuration(info_of(record), &record),
                          call.request_id);
}

http::asio::awaitable<http::Response> delete_function(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string text = path_param(call.params[0]);
  const std::string qualifier = qualifier_of(text, query_param(call.query, "Qualifier"));
  if (qualifier == "$LATEST") {
    throw errors::invalid_parameter(
        "$LATEST version cannot be deleted without deleting the function.");
  }
  std::string name = function_name(api, text);
  if (!qualifier.empty()) {
    co_await registry.remove_version(std::move(name), qualifier);
  } else {
    co_await registry.remove(std::move(name));
  }
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  co_return r;
}

http::asio::awaitable<http::Response> download_code(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = path_param(call.params[0]);
  check_signed_url(api, call, name, "code", "GetFunction");
  std::string zip = co_await registry.code_zip(name);
  auto r = http::make_response(call.request, 200, std::move(zip), "application/zip");
  r.set("x-amzn-RequestId", call.request_id);
  r.set(http::bhttp::field::content_disposition, "attachment; filename=\"" + name + ".zip\"");
  co_return r;
}

}  // namespace lambdad::control_api
