#pragma once
/// @brief A template's schedule (common's ScheduleDefinition) with its expression and time zone
/// parsed, and the rule that gives its next fire from its state.

#include <optional>

#include "lambdad/common/schedule_definition.hpp"
#include "lambdad/schedule/expression.hpp"

namespace lambdad::schedule {

/// A definition ready to run. Throws ScheduleError when its expression or time zone is bad
/// (deploy has reported those already; the runner skips such a definition).
struct Compiled {
  explicit Compiled(ScheduleDefinition given);

  ScheduleDefinition definition;
  Expression expression;
  TimeZone zone;
};

/// A schedule and its next fire (nullopt: it does not fire again, or its definition is bad).
struct PlannedSchedule {
  ScheduleDefinition definition;
  std::optional<TimePoint> next_fire;
  std::string problem;  ///< why it is not run (a bad expression or time zone); empty when run
};

/// When `schedule` fires next, seen at `now`, given its last fire (nullopt: it never fired).
/// nullopt: it does not fire again (disabled, past its EndDate, an at() that has fired).
/// - Never fired: cron() and at() fire at their next time after now (an at() in the past never
///   fires). rate() counts from StartDate when set; otherwise an EventBridge rule fires one
///   period after it is first seen (deployed) and a Scheduler schedule fires at once, as AWS
///   does when a schedule has no StartDate.
/// - Fired before: the first time after the last fire (rate(): one period after it, aligned on
///   StartDate when set). When that time has passed (lambdad was down), the latest missed time
///   is returned, so the caller fires once, at once, for everything it missed.
std::optional<TimePoint> planned_fire(const Compiled& schedule, TimePoint now,
                                      std::optional<TimePoint> last_fire);

/// The next fire after `fired` (a time just fired) and after `now`: the times a late wake-up
/// passed (the process was busy or the machine asleep) are not fired again, the one fire
/// stood for them.
std::optional<TimePoint> fire_after(const Compiled& schedule, TimePoint fired, TimePoint now);

}  // namespace lambdad::schedule
