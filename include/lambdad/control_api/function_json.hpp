#pragma once
/// @brief FunctionConfiguration and GetFunction bodies as the Lambda API returns them.

#include <nlohmann/json.hpp>

#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::control_api {

nlohmann::json function_configuration(const scheduler::FunctionInfo& function);
nlohmann::json get_function(const scheduler::FunctionInfo& function);

}  // namespace lambdad::control_api
