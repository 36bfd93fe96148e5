#pragma once
/// @brief `lambdad schedules`: a template's schedules and their next fires, as a text table.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lambdad/schedule/definition.hpp"

namespace lambdad::schedule {

/// Each schedule's next fire seen at `now`; last_fire gives a schedule's last fire by ARN
/// (a FireLog's), or nothing: never fired.
std::vector<PlannedSchedule> plan_schedules(
    const std::vector<ScheduleDefinition>& schedules, TimePoint now,
    const std::function<std::optional<TimePoint>(const std::string& arn)>& last_fire = nullptr);

/// Columns NAME, TARGET (function[:qualifier]), EXPRESSION, TIMEZONE, NEXT FIRE (UTC, then the
/// wall-clock time in the schedule's zone when that is not UTC; "disabled", "none" or the
/// problem otherwise). "No schedules." when there are none.
std::string format_schedule_table(const std::vector<PlannedSchedule>& schedules);

}  // namespace lambdad::schedule
