#include "lambdad/schedule/definition.hpp"

#include <algorithm>

namespace lambdad::schedule {

namespace {

/// Scheduler schedules honour StartDate / EndDate ("no fire at or after EndDate").
std::optional<TimePoint> within_dates(const Compiled& schedule, std::optional<TimePoint> time) {
  const ScheduleDefinition& definition = schedule.definition;
  if (time && definition.end_date && *time >= *definition.end_date) return std::nullopt;
  return time;
}

TimePoint anchor_of(const Compiled& schedule, TimePoint fallback) {
  return schedule.definition.start_date.value_or(fallback);
}

/// The next fire after `after`, not before StartDate.
std::optional<TimePoint> next_within(const Compiled& schedule, TimePoint after, TimePoint anchor) {
  const auto& start = schedule.definition.start_date;
  if (start && after < *start - std::chrono::seconds(1)) after = *start - std::chrono::seconds(1);
  return within_dates(schedule, next_fire(schedule.expression, after, schedule.zone, anchor));
}

/// The latest fire at or before now, starting from `due` (a fire time <= now).
TimePoint latest_due(const Compiled& schedule, TimePoint due, TimePoint now, TimePoint anchor) {
  if (schedule.expression.kind() == Expression::Kind::rate) {
    const std::chrono::seconds period = schedule.expression.rate();
    return due + ((now - due) / period) * period;
  }
  // cron(): look back from now in growing windows (1 h, 4 h, 16 h, ...) for a missed fire,
  // then step to the latest one: few steps whether the schedule fires every minute or yearly.
  for (std::chrono::seconds window = std::chrono::hours(1); now - window > due; window *= 4) {
    if (auto recent = next_within(schedule, now - window, anchor); recent && *recent <= now) {
      due = *recent;
      break;
    }
  }
  for (int steps = 0; steps < 10000; ++steps) {
    auto next = next_within(schedule, due, anchor);
    if (!next || *next > now) break;
    due = *next;
  }
  return due;
}

}  // namespace

Compiled::Compiled(ScheduleDefinition given)
    : definition(std::move(given)),
      expression(Expression::parse(definition.expression, definition.scheduler)),
      zone(TimeZone::locate(definition.timezone)) {}

std::optional<TimePoint> planned_fire(const Compiled& schedule, TimePoint now,
                                      std::optional<TimePoint> last_fire) {
  if (!schedule.definition.enabled) return std::nullopt;
  const bool rate = schedule.expression.kind() == Expression::Kind::rate;
  if (!last_fire) {
    if (rate && !schedule.definition.start_date) {
      if (schedule.definition.scheduler) return within_dates(schedule, now);
      return within_dates(schedule, now + std::chrono::seconds(schedule.expression.rate()));
    }
    return next_within(schedule, now - std::chrono::seconds(rate ? 1 : 0),
                       anchor_of(schedule, now));
  }
  // Fired before: aligned on the last fire (or StartDate); a time missed while lambdad was
  // down is fired once, as the latest one missed.
  const TimePoint anchor = anchor_of(schedule, *last_fire);
  auto next = next_within(schedule, *last_fire, anchor);
  if (!next || *next > now) return next;
  return within_dates(schedule, latest_due(schedule, *next, now, anchor));
}

std::optional<TimePoint> fire_after(const Compiled& schedule, TimePoint fired, TimePoint now) {
  if (!schedule.definition.enabled) return std::nullopt;
  return next_within(schedule, std::max(fired, now), anchor_of(schedule, fired));
}

}  // namespace lambdad::schedule
