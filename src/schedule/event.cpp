#include "lambdad/schedule/event.hpp"

#include <nlohmann/json.hpp>

namespace lambdad::schedule {

namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
}

/// Field `index` (0-based) of arn:partition:service:region:account:resource.
std::string arn_field(std::string_view arn, int index) {
  size_t pos = 0;
  for (int i = 0; i < index; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return "";
    ++pos;
  }
  return std::string(arn.substr(pos, arn.find(':', pos) - pos));
}

}  // namespace

std::string scheduled_event(const ScheduleDefinition& schedule, TimePoint scheduled_time,
                            std::string_view id, int attempt) {
  if (schedule.scheduler) {
    if (!schedule.input) return "{}";
    std::string input = *schedule.input;
    replace_all(input, "<aws.scheduler.schedule-arn>", schedule.arn);
    replace_all(input, "<aws.scheduler.scheduled-time>", format_utc(scheduled_time));
    replace_all(input, "<aws.scheduler.execution-id>", id);
    replace_all(input, "<aws.scheduler.attempt-number>", std::to_string(attempt));
    return input;
  }
  if (schedule.input) return *schedule.input;
  const nlohmann::ordered_json event = {
      {"version", "0"},
      {"id", id},
      {"detail-type", "Scheduled Event"},
      {"source", "aws.events"},
      {"account", arn_field(schedule.arn, 4)},
      {"time", format_utc(scheduled_time)},
      {"region", arn_field(schedule.arn, 3)},
      {"resources", nlohmann::json::array({schedule.arn})},
      {"detail", nlohmann::json::object()},
  };
  return event.dump();
}

}  // namespace lambdad::schedule
