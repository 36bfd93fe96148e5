// The resource-policy group: AddPermission, GetPolicy, RemovePermission, per function and
// qualifier. Stored and returned in AWS's shapes; lambdad does not evaluate them
// (docs/security.md says why).

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/control_api/stored_request.hpp"
#include "lambdad/registry/registry.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

std::string resource_arn(const StoredTarget& target) {
  return function_arn(target.name, target.qualifier == "$LATEST" ? "" : target.qualifier);
}

AwsError no_policy() {
  return {404, "ResourceNotFoundException", "The resource you requested does not exist."};
}

}  // namespace

http::asio::awaitable<http::Response> add_permission(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  PermissionRequest request =
      permission_request(parse_body(call.request.body()), resource_arn(target));
  const std::string statement = request.statement.dump();
  co_await registry.add_permission(target.name, target.qualifier, std::move(request.statement),
                                   request.revision_id);
  co_return json_response(call.request, 201, {{"Statement", statement}}, call.request_id);
}

http::asio::awaitable<http::Response> get_policy(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  const auto policy = registry.policy(target.name, target.qualifier);
  if (!policy) throw no_policy();
  co_return json_response(
      call.request, 200,
      {{"Policy", policy_document(policy->statements)}, {"RevisionId", policy->revision_id}},
      call.request_id);
}

http::asio::awaitable<http::Response> remove_permission(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const StoredTarget target =
      stored_target(api, path_param(call.params[0]), query_param(call.query, "Qualifier"));
  const std::string sid = path_param(call.params[1]);
  check_statement_id(sid);
  std::string revision = query_param(call.query, "RevisionId");
  co_await registry.remove_permission(
      target.name, target.qualifier, sid,
      revision.empty() ? std::nullopt : std::optional<std::string>(std::move(revision)));
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  co_return r;
}

}  // namespace lambdad::control_api
