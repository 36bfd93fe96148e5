#include "lambdad/schedule/table.hpp"

#include <algorithm>
#include <array>

namespace lambdad::schedule {

namespace {

std::string format_local(std::chrono::local_seconds local) {
  // format_utc's digits without the Z.
  std::string text = format_utc(TimePoint(local.time_since_epoch()));
  text.pop_back();
  return text;
}

std::string next_fire_text(const PlannedSchedule& planned) {
  if (!planned.problem.empty()) return "not run: " + planned.problem;
  if (!planned.definition.enabled) return "disabled";
  if (!planned.next_fire) return "none";
  std::string text = format_utc(*planned.next_fire);
  if (planned.definition.timezone != "UTC") {
    try {
      const TimeZone zone = TimeZone::locate(planned.definition.timezone);
      text += " (" + format_local(zone.to_local(*planned.next_fire)) + " local)";
    } catch (const ScheduleError&) {
      // planned.problem says so; unreachable here
    }
  }
  return text;
}

}  // namespace

std::vector<PlannedSchedule> plan_schedules(
    const std::vector<ScheduleDefinition>& schedules, TimePoint now,
    const std::function<std::optional<TimePoint>(const std::string& arn)>& last_fire) {
  std::vector<PlannedSchedule> out;
  for (const ScheduleDefinition& definition : schedules) {
    PlannedSchedule planned{.definition = definition};
    try {
      const Compiled compiled(definition);
      planned.next_fire =
          planned_fire(compiled, now, last_fire ? last_fire(definition.arn) : std::nullopt);
    } catch (const ScheduleError& error) {
      planned.problem = error.what();
    }
    out.push_back(std::move(planned));
  }
  return out;
}

std::string format_schedule_table(const std::vector<PlannedSchedule>& schedules) {
  if (schedules.empty()) return "No schedules.\n";
  std::vector<std::array<std::string, 5>> rows = {
      {"NAME", "TARGET", "EXPRESSION", "TIMEZONE", "NEXT FIRE"}};
  for (const auto& planned : schedules) {
    const ScheduleDefinition& d = planned.definition;
    rows.push_back({d.name, d.qualifier.empty() ? d.function : d.function + ":" + d.qualifier,
                    d.expression, d.timezone, next_fire_text(planned)});
  }
  std::array<size_t, 5> widths{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace lambdad::schedule
