#pragma once
// Finding the function version a Lambda API path names, for the route files: the registry's
// record (what a function is, its versions and aliases) and the scheduler's view of it.

#include <optional>
#include <string>
#include <string_view>

#include "lambdad/registry/registry.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "router.hpp"

namespace lambdad::control_api {

/// A function version as the API shows it.
struct Described {
  scheduler::FunctionInfo info;
  std::optional<registry::FunctionRecord> record;
};

scheduler::FunctionInfo info_of(const registry::FunctionRecord& record);

/// The version a path's name (a name, an ARN or a logical id, optionally `:qualifier`) and a
/// `?Qualifier=` name: $LATEST, a version, an alias's primary version. Throws AwsError.
Described describe(ApiState& api, std::string_view text, const std::string& qualifier);

/// The exact name of the function a path names (a name, an ARN, a logical id).
std::string function_name(ApiState& api, std::string_view text);

/// The qualifier a path's name and `?Qualifier=` give together ("" for none); throws
/// InvalidParameterValueException when they differ.
std::string qualifier_of(std::string_view text, const std::string& query_qualifier);

}  // namespace lambdad::control_api
