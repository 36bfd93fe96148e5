// The aliases group: CreateAlias, GetAlias, ListAliases, UpdateAlias, DeleteAlias. The rules
// (versions exist, weights, the template's AutoPublishAlias) are the registry's.

#include "function_lookup.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/control_api/version_request.hpp"
#include "paging.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

nlohmann::json alias_json(const registry::AliasRecord& alias) {
  nlohmann::json body = {
      {"AliasArn", function_arn(alias.function, alias.name)},
      {"Name", alias.name},
      {"FunctionVersion", alias.function_version},
      {"Description", alias.description},
      {"RevisionId", alias.revision_id},
  };
  if (!alias.weights.empty()) {
    body["RoutingConfig"] = {{"AdditionalVersionWeights", alias.weights}};
  }
  return body;
}

}  // namespace

http::asio::awaitable<http::Response> create_alias(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  registry::AliasRecord alias = alias_request(parse_body(call.request.body()));
  alias.function = function_name(api, path_param(call.params[0]));
  const registry::AliasRecord made = co_await registry.create_alias(std::move(alias));
  co_return json_response(call.request, 201, alias_json(made), call.request_id);
}

http::asio::awaitable<http::Response> get_alias(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = function_name(api, path_param(call.params[0]));
  const std::string alias = path_param(call.params[1]);
  auto found = registry.find_alias(name, alias);
  if (!found) throw errors::alias_not_found(function_arn(name, alias));
  co_return json_response(call.request, 200, alias_json(*found), call.request_id);
}

http::asio::awaitable<http::Response> list_aliases(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = function_name(api, path_param(call.params[0]));
  const std::string version = query_param(call.query, "FunctionVersion");
  PageEntries entries;
  for (const auto& alias : registry.aliases(name)) {
    // FunctionVersion: the aliases that route to that version, as either of their two.
    if (!version.empty() && alias.function_version != version && !alias.weights.contains(version)) {
      continue;
    }
    entries.emplace_back(alias.name, alias_json(alias));
  }
  co_return json_response(call.request, 200, page(std::move(entries), call.query, "Aliases"),
                          call.request_id);
}

http::asio::awaitable<http::Response> update_alias(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::string name = function_name(api, path_param(call.params[0]));
  std::string alias_name = path_param(call.params[1]);
  AliasUpdate update = alias_update(parse_body(call.request.body()));
  // Arguments named, never temporaries of a co_await expression (GCC 12 may destroy those
  // twice).
  const registry::AliasRecord alias = co_await registry.update_alias(
      std::move(name), std::move(alias_name), std::move(update.patch), update.revision_id);
  co_return json_response(call.request, 200, alias_json(alias), call.request_id);
}

http::asio::awaitable<http::Response> delete_alias(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::string name = function_name(api, path_param(call.params[0]));
  std::string alias_name = path_param(call.params[1]);
  co_await registry.remove_alias(std::move(name), std::move(alias_name));
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  co_return r;
}

}  // namespace lambdad::control_api
