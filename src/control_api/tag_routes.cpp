// The tags group: TagResource, UntagResource, ListTags on a function's ARN. A template
// function's own tags (its Tags and SAM's lambda:createdBy) are the template's; the registry
// keeps the API's beside them (registry/tags.cpp).

#include "lambdad/control_api/function_request.hpp"
#include "lambdad/control_api/stored_request.hpp"
#include "lambdad/registry/registry.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

http::Response no_content(const Call& call) {
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  return r;
}

}  // namespace

http::asio::awaitable<http::Response> tag_resource(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string arn = path_param(call.params[0]);
  const std::string name = stored_target(api, tagged_function(arn), "").name;
  auto tags = tag_request(parse_body(call.request.body()));
  co_await registry.tag(name, std::move(tags));
  co_return no_content(call);
}

http::asio::awaitable<http::Response> untag_resource(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string arn = path_param(call.params[0]);
  const std::string name = stored_target(api, tagged_function(arn), "").name;
  auto keys = query_params(call.query, "tagKeys");
  check_tag_keys(keys);
  co_await registry.untag(name, std::move(keys));
  co_return no_content(call);
}

http::asio::awaitable<http::Response> list_tags(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string arn = path_param(call.params[0]);
  const std::string name = stored_target(api, tagged_function(arn), "").name;
  const registry::FunctionRecord* record = registry.find(name);
  const nlohmann::json tags = record ? nlohmann::json(record->tags) : nlohmann::json::object();
  co_return json_response(call.request, 200, {{"Tags", tags}}, call.request_id);
}

}  // namespace lambdad::control_api
