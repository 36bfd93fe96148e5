#pragma once
/// @brief Syntax of EventBridge schedule expressions: rate(), cron() and (Scheduler only) at().

#include <string>
#include <string_view>

namespace lambdad::deploy {

/// Empty when the expression is valid; otherwise what is wrong with it.
std::string check_schedule_expression(std::string_view expression, bool allow_at);

}  // namespace lambdad::deploy
