#pragma once
/// @brief FunctionConfiguration and GetFunction bodies as the Lambda API returns them.

#include <nlohmann/json.hpp>

#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::control_api {

nlohmann::json function_configuration(const scheduler::Function& function,
                                      const std::string& version);
nlohmann::json get_function(const scheduler::Function& function, const std::string& version);

}  // namespace lambdad::control_api
