#include "lambdad/deploy/schedule_expression.hpp"

#include "lambdad/schedule/expression.hpp"

namespace lambdad::deploy {

std::string check_schedule_expression(std::string_view expression, bool allow_at) {
  try {
    schedule::Expression::parse(expression, allow_at);
    return "";
  } catch (const schedule::ScheduleError& error) {
    return error.what();
  }
}

}  // namespace lambdad::deploy
