#pragma once
/// @brief FunctionConfiguration and GetFunction bodies as the Lambda API returns them.

#include <nlohmann/json.hpp>

#include <string_view>

#include "lambdad/registry/function_record.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::control_api {

/// `record`: the registry's (RevisionId, State, LastUpdateStatus, LastModified, the uploaded
/// code's CodeSha256 / CodeSize, Role); null for what only the scheduler knows.
nlohmann::json function_configuration(const scheduler::FunctionInfo& function,
                                      const registry::FunctionRecord* record = nullptr);
/// `code_url`: where Code.Location lets the caller download the function's zip.
nlohmann::json get_function(const scheduler::FunctionInfo& function,
                            const registry::FunctionRecord* record, std::string_view code_url);

}  // namespace lambdad::control_api
