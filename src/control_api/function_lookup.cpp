#include "function_lookup.hpp"

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/ids.hpp"

namespace lambdad::control_api {

scheduler::FunctionInfo info_of(const registry::FunctionRecord& record) {
  return {record.config, record.version, "", record.last_modified()};
}

std::string qualifier_of(std::string_view text, const std::string& query_qualifier) {
  const FunctionName parsed = parse_function_name(text);
  if (!parsed.qualifier.empty() && !query_qualifier.empty() &&
      parsed.qualifier != query_qualifier) {
    throw errors::invalid_parameter(
        "The derived qualifier from the function name does not match the specified qualifier.");
  }
  return parsed.qualifier.empty() ? query_qualifier : parsed.qualifier;
}

Described describe(ApiState& api, std::string_view text, const std::string& qualifier) {
  if (!api.registry) return {api.scheduler.describe(text, qualifier), std::nullopt};
  const std::string q = qualifier_of(text, qualifier);
  const std::string name = function_name(api, text);
  std::optional<registry::FunctionRecord> record = api.registry->find_version(name, q);
  if (!record) throw errors::function_not_found(function_arn(name, q));
  Described described{info_of(*record), std::move(record)};
  if (described.record->code_sha256.empty()) {
    // A template folder: the scheduler knows its code's fingerprint (the summary's cache key).
    try {
      described.info.code_fingerprint =
          api.scheduler.describe(name, described.info.version).code_fingerprint;
    } catch (const AwsError&) {
    }
  }
  return described;
}

std::string function_name(ApiState& api, std::string_view text) {
  const FunctionName parsed = parse_function_name(text);
  if (api.registry && api.registry->find(parsed.name)) return parsed.name;
  return api.scheduler.describe(parsed.name, "").config.name;
}

}  // namespace lambdad::control_api
