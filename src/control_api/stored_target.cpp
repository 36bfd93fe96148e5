// The function and qualifier a stored operation names, checked as AWS checks them.

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/registry/registry.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "router.hpp"

namespace lambdad::control_api {

StoredTarget stored_target(ApiState& api, std::string_view text, const std::string& qualifier) {
  registry::Registry& registry = registry_of(api);
  const FunctionName parsed = parse_function_name(text);
  if (!parsed.qualifier.empty() && !qualifier.empty() && parsed.qualifier != qualifier) {
    throw errors::invalid_parameter(
        "The derived qualifier from the function name does not match the specified qualifier.");
  }
  StoredTarget target{parsed.name, parsed.qualifier.empty() ? qualifier : parsed.qualifier};
  if (!registry.find(target.name)) {
    // A logical id, as sam local takes it: the scheduler knows the name behind it.
    target.name = api.scheduler.describe(parsed.name, "").config.name;
    if (!registry.find(target.name)) {
      throw errors::function_not_found(function_arn(parsed.name, target.qualifier));
    }
  }
  if (!target.qualifier.empty() && target.qualifier != "$LATEST") {
    api.scheduler.describe(target.name, target.qualifier);  // ResourceNotFoundException
  }
  return target;
}

}  // namespace lambdad::control_api
