#pragma once
/// @brief Template checks of EventBridge schedule expressions (the schedule module's parser).

#include <string>
#include <string_view>

namespace lambdad::deploy {

/// Empty when the expression is valid; otherwise what is wrong with it.
std::string check_schedule_expression(std::string_view expression, bool allow_at);

}  // namespace lambdad::deploy
