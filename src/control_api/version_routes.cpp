// The versions group: PublishVersion and ListVersionsByFunction. (DeleteFunction with a version
// qualifier is function_routes.cpp's.)

#include "function_lookup.hpp"
#include "lambdad/control_api/function_json.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/control_api/version_request.hpp"
#include "paging.hpp"
#include "router.hpp"

namespace lambdad::control_api {

http::asio::awaitable<http::Response> publish_version(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::string name = function_name(api, path_param(call.params[0]));
  registry::PublishRequest request = publish_request(parse_body(call.request.body()));
  const registry::FunctionRecord version =
      co_await registry.publish(std::move(name), std::move(request));
  co_return json_response(call.request, 201, function_configuration(info_of(version), &version),
                          call.request_id);
}

http::asio::awaitable<http::Response> list_versions(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = function_name(api, path_param(call.params[0]));
  PageEntries entries;
  for (const auto& version : registry.versions(name)) {
    Described d = describe(api, name, version.version);
    entries.emplace_back(version_key(version.version), function_configuration(d.info, &version));
  }
  co_return json_response(call.request, 200, page(std::move(entries), call.query, "Versions"),
                          call.request_id);
}

}  // namespace lambdad::control_api
