#pragma once
/// @brief The environment variables Lambda sets itself and refuses in a function's
/// `Environment.Variables` (the template loader and CreateFunction / UpdateFunctionConfiguration
/// both check them against this one list).

#include <string_view>

namespace lambdad {

bool is_reserved_environment_variable(std::string_view name);

}  // namespace lambdad
