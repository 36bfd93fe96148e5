#include "schedules.hpp"

#include "lambdad/schedule/expression.hpp"

namespace lambdad::deploy {

namespace {

bool check_range(const Node& map, std::string_view key, long long min, long long max,
                 const std::string& who, LoadContext& ctx) {
  const Node* value = map.find(key);
  if (!value || value->is_invalid()) return true;
  auto number = to_integer(*value);
  if (number && *number >= min && *number <= max) return true;
  ctx.error(value->line, who,
            "RetryPolicy." + std::string(key) + " must be a whole number between " +
                std::to_string(min) + " and " + std::to_string(max));
  return false;
}

std::optional<long long> json_integer(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_string()) {
    try {
      return std::stoll(value.get<std::string>());
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

bool json_false(const nlohmann::json& value) {
  return (value.is_boolean() && !value.get<bool>()) ||
         (value.is_string() && (value == "false" || value == "False" || value == "FALSE"));
}

std::string json_text(const nlohmann::json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

bool check_schedule_settings(const Node& settings, const std::string& who, LoadContext& ctx) {
  bool ok = true;
  if (const Node* retry = settings.find("RetryPolicy"); retry && !retry->is_invalid()) {
    if (!retry->is_map()) {
      ctx.error(retry->line, who, "RetryPolicy must be a map, got " + describe(*retry));
      ok = false;
    } else {
      ok = check_range(*retry, "MaximumRetryAttempts", 0, 185, who, ctx) && ok;
      ok = check_range(*retry, "MaximumEventAgeInSeconds", 60, 86400, who, ctx) && ok;
    }
  }
  if (const Node* dead = settings.find("DeadLetterConfig");
      dead && !dead->is_invalid() && !dead->is_map()) {
    ctx.error(dead->line, who, "DeadLetterConfig must be a map, got " + describe(*dead));
    ok = false;
  }
  return ok;
}

bool check_schedule_dates(const Node& properties, const std::string& who, LoadContext& ctx) {
  bool ok = true;
  if (const Node* zone = properties.find("ScheduleExpressionTimezone");
      zone && !zone->is_invalid() && !zone->unresolved) {
    try {
      if (!zone->is_scalar()) throw schedule::ScheduleError("must be a string");
      schedule::TimeZone::locate(zone->text);
    } catch (const schedule::ScheduleError& error) {
      ctx.error(zone->line, who, "ScheduleExpressionTimezone: " + std::string(error.what()));
      ok = false;
    }
  }
  std::optional<schedule::TimePoint> start, end;
  for (const char* key : {"StartDate", "EndDate"}) {
    const Node* value = properties.find(key);
    if (!value || value->is_invalid() || value->unresolved) continue;
    try {
      if (!value->is_scalar()) throw schedule::ScheduleError("must be a date and time");
      (std::string_view(key) == "StartDate" ? start : end) = schedule::parse_timestamp(value->text);
    } catch (const schedule::ScheduleError& error) {
      ctx.error(value->line, who, std::string(key) + ": " + error.what());
      ok = false;
    }
  }
  if (start && end && *end <= *start) {
    ctx.error(properties.find("EndDate")->line, who,
              "EndDate (" + schedule::format_utc(*end) + ") must be after StartDate (" +
                  schedule::format_utc(*start) + ")");
    ok = false;
  }
  return ok;
}

void read_schedule_json(const nlohmann::json& properties, const nlohmann::json& target,
                        ScheduleDefinition& out) {
  out.expression = json_text(properties, out.scheduler ? "ScheduleExpression" : "Schedule");
  if (out.expression.empty()) out.expression = json_text(properties, "ScheduleExpression");
  if (auto zone = json_text(properties, "ScheduleExpressionTimezone"); !zone.empty()) {
    out.timezone = zone;
  }
  for (auto [key, field] : {std::pair{"StartDate", &out.start_date}, {"EndDate", &out.end_date}}) {
    if (auto text = json_text(properties, key); !text.empty()) {
      try {
        *field = schedule::parse_timestamp(text);
      } catch (const schedule::ScheduleError&) {
        // reported by check_schedule_dates
      }
    }
  }
  if (auto enabled = properties.find("Enabled");
      enabled != properties.end() && json_false(*enabled)) {
    out.enabled = false;
  }
  if (json_text(properties, "State") == "DISABLED") out.enabled = false;
  out.description = json_text(properties, "Description");
  if (auto input = target.find("Input"); input != target.end() && !input->is_null()) {
    // A string is the document as written; an unresolved intrinsic is passed as its JSON.
    out.input = input->is_string() ? input->get<std::string>() : input->dump();
  }
  if (auto retry = target.find("RetryPolicy"); retry != target.end() && retry->is_object()) {
    if (auto it = retry->find("MaximumRetryAttempts"); it != retry->end()) {
      if (auto value = json_integer(*it)) out.maximum_retry_attempts = static_cast<int>(*value);
    }
    if (auto it = retry->find("MaximumEventAgeInSeconds"); it != retry->end()) {
      if (auto value = json_integer(*it)) out.maximum_event_age_s = static_cast<int>(*value);
    }
  }
  if (auto dead = target.find("DeadLetterConfig"); dead != target.end() && dead->is_object()) {
    out.dead_letter_arn = json_text(*dead, "Arn");
  }
}

}  // namespace lambdad::deploy
