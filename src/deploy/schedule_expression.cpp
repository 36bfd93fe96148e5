#include "lambdad/deploy/schedule_expression.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>
#include "lambdad/common/regex.hpp"

namespace lambdad::deploy {

namespace {

struct CronField {
  const char* name;
  int min;
  int max;
  const char* names;  ///< three-letter aliases, in order from min, or nullptr
};

constexpr std::array<CronField, 6> kFields = {{
    {"minutes", 0, 59, nullptr},
    {"hours", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr},
    {"month", 1, 12, "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"},
    {"day-of-week", 1, 7, "SUNMONTUEWEDTHUFRISAT"},
    {"year", 1970, 2199, nullptr},
}};

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (size_t next; (next = text.find(separator, pos)) != std::string_view::npos; pos = next + 1) {
    parts.emplace_back(text.substr(pos, next - pos));
  }
  parts.emplace_back(text.substr(pos));
  return parts;
}

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool valid_value(const CronField& field, std::string_view text) {
  if (auto number = parse_number(text)) return *number >= field.min && *number <= field.max;
  if (!field.names || text.size() != 3) return false;
  const std::string_view names(field.names);
  for (size_t i = 0; i < names.size(); i += 3) {
    if (std::equal(text.begin(), text.end(), names.begin() + i, [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

bool valid_range(const CronField& field, std::string_view text) {
  if (text == "*") return true;
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) return valid_value(field, text);
  return valid_value(field, text.substr(0, dash)) && valid_value(field, text.substr(dash + 1));
}

bool valid_special(size_t index, std::string_view part) {
  static const std::regex day_of_month("L|LW|L-[0-9]{1,2}|[0-9]{1,2}W");
  static const std::regex day_of_week(
      "L|[1-7]L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])", std::regex::icase);
  const std::string text(part);
  if (index == 2) return std::regex_match(text, day_of_month);
  if (index == 4) return std::regex_match(text, day_of_week);
  return false;
}

bool valid_part(size_t index, std::string_view part) {
  const CronField& field = kFields[index];
  if (valid_special(index, part)) return true;
  const size_t slash = part.find('/');
  if (slash == std::string_view::npos) return valid_range(field, part);
  auto step = parse_number(part.substr(slash + 1));
  return step && *step > 0 && valid_range(field, part.substr(0, slash));
}

std::string check_field(size_t index, const std::string& text) {
  if (text == "?") return "";
  for (const auto& part : split(text, ',')) {
    if (part.empty() || part == "?" || !valid_part(index, part)) {
      return std::string("bad ") + kFields[index].name + " field '" + text + "'";
    }
  }
  return "";
}

std::string check_cron(std::string_view body) {
  static const std::regex spaces("\\s+");
  const std::string text(body);
  std::vector<std::string> fields(std::sregex_token_iterator(text.begin(), text.end(), spaces, -1),
                                  {});
  std::erase(fields, "");
  if (fields.size() != 6) {
    return "cron() needs 6 fields (minutes hours day-of-month month day-of-week year), got " +
           std::to_string(fields.size());
  }
  if ((fields[2] == "?") == (fields[4] == "?")) {
    return "cron(): exactly one of day-of-month and day-of-week must be '?'";
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (auto problem = check_field(i, fields[i]); !problem.empty()) return "cron(): " + problem;
  }
  return "";
}

std::string check_rate(std::string_view body) {
  static const std::regex rate("([0-9]+) (minute|minutes|hour|hours|day|days)");
  std::smatch match;
  const std::string text(body);
  if (!std::regex_match(text, match, rate)) {
    return "rate() takes a whole number and a unit: rate(5 minutes), rate(1 hour), rate(2 days)";
  }
  auto value = parse_number(match[1].str());
  if (!value || *value <= 0) return "rate() needs a value of 1 or more";
  const bool plural = match[2].str().back() == 's';
  if (plural != (*value != 1)) {
    return *value == 1 ? "rate(1 ...) takes a singular unit (minute, hour, day)"
                       : "rate() with a value above 1 takes a plural unit (minutes, hours, days)";
  }
  return "";
}

std::string check_at(std::string_view body) {
  static const std::regex at("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}");
  if (std::regex_match(std::string(body), at)) return "";
  return "at() takes a date and time: at(2025-12-31T23:59:00)";
}

}  // namespace

std::string check_schedule_expression(std::string_view expression, bool allow_at) {
  if (expression.ends_with(")")) {
    const size_t open = expression.find('(');
    const std::string_view kind = expression.substr(0, open);
    const std::string_view body = open == std::string_view::npos
                                      ? ""
                                      : expression.substr(open + 1, expression.size() - open - 2);
    if (kind == "rate") return check_rate(body);
    if (kind == "cron") return check_cron(body);
    if (kind == "at" && allow_at) return check_at(body);
  }
  return allow_at ? "must be rate(...), cron(...) or at(...)" : "must be rate(...) or cron(...)";
}

}  // namespace lambdad::deploy
