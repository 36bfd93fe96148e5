// Parsing of rate(), cron() and at(). The cron grammar is EventBridge's (Quartz-like: L, W, #,
// '?', names). No Debian-packaged cron library knows L / W / # (libcron, croncpp and ccronexpr
// are not packaged, and cronie's parser is inside its daemon), so lambdad parses and matches
// cron() itself (cron_match.cpp).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include "lambdad/common/regex.hpp"
#include "lambdad/schedule/expression.hpp"

namespace lambdad::schedule {

namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (size_t next; (next = text.find(separator, pos)) != std::string_view::npos; pos = next + 1) {
    parts.push_back(text.substr(pos, next - pos));
  }
  parts.push_back(text.substr(pos));
  return parts;
}

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::string_view names;  ///< three-letter aliases, in order from min; empty when none
  bool cyclic;             ///< a range may wrap (FRI-MON, NOV-FEB, 22-2); not years
};

constexpr FieldSpec kMinutes{"minutes", 0, 59, "", true};
constexpr FieldSpec kHours{"hours", 0, 23, "", true};
constexpr FieldSpec kDays{"day-of-month", 1, 31, "", true};
constexpr FieldSpec kMonths{"month", 1, 12, "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC", true};
constexpr FieldSpec kWeekdays{"day-of-week", 1, 7, "SUNMONTUEWEDTHUFRISAT", true};
constexpr FieldSpec kYears{"year", kFirstYear, kLastYear, "", false};

std::optional<int> parse_value(const FieldSpec& field, std::string_view text) {
  if (auto number = parse_number(text)) {
    if (*number < field.min || *number > field.max) return std::nullopt;
    return number;
  }
  if (field.names.empty() || text.size() != 3) return std::nullopt;
  for (size_t i = 0; i < field.names.size(); i += 3) {
    if (std::equal(
            text.begin(), text.end(), field.names.begin() + static_cast<long>(i),
            [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; })) {
      return field.min + static_cast<int>(i / 3);
    }
  }
  return std::nullopt;
}

/// One item of a list: *, a, a-b, with an optional /step. Sets value - field.min + offset bits.
template <size_t N>
bool parse_item(const FieldSpec& field, std::string_view item, std::bitset<N>& bits, int offset) {
  int step = 1;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    auto given = parse_number(item.substr(slash + 1));
    if (!given || *given < 1) return false;
    step = *given;
    item = item.substr(0, slash);
  }
  int first = field.min, last = field.max;
  if (item != "*") {
    const size_t dash = item.find('-');
    auto from = parse_value(field, item.substr(0, dash));
    if (!from) return false;
    first = *from;
    if (dash != std::string_view::npos) {
      auto to = parse_value(field, item.substr(dash + 1));
      if (!to || (!field.cyclic && *to < first)) return false;
      last = *to;
    } else if (step == 1) {
      last = first;  // a single value; "a/step" runs from a to the field's end
    }
  }
  const int size = field.max - field.min + 1;
  const int span = (last - first + size) % size;  // a wrapping range: FRI-MON
  for (int i = 0; i <= span; i += step) {
    const int value = field.min + (first - field.min + i) % size;
    bits.set(static_cast<size_t>(value - field.min + offset));
  }
  return true;
}

[[noreturn]] void bad_field(const FieldSpec& field, std::string_view text) {
  throw ScheduleError(std::string("cron(): bad ") + field.name + " field '" + std::string(text) +
                      "'");
}

template <size_t N>
void parse_plain(const FieldSpec& field, std::string_view text, std::bitset<N>& bits, int offset) {
  for (auto item : split(text, ',')) {
    if (item.empty() || !parse_item(field, item, bits, offset)) bad_field(field, text);
  }
}

void parse_days(std::string_view text, CronFields& cron) {
  if (text == "?") {
    cron.day_of_month_any = true;
    return;
  }
  for (auto item : split(text, ',')) {
    if (item == "L") {
      cron.last_day_offsets.push_back(0);
    } else if (item == "LW") {
      cron.last_weekday = true;
    } else if (item.starts_with("L-")) {
      // Quartz's "n days before the last day"; AWS's table lists L alone, yet EventBridge (a
      // Quartz dialect) has long accepted L-n, and so did lambdad's earlier validator.
      auto n = parse_number(item.substr(2));
      if (!n || *n < 0 || *n > 30) bad_field(kDays, text);
      cron.last_day_offsets.push_back(*n);
    } else if (item.size() > 1 && item.back() == 'W') {
      auto n = parse_number(item.substr(0, item.size() - 1));
      if (!n || *n < 1 || *n > 31) bad_field(kDays, text);
      cron.nearest_weekdays.push_back(*n);
    } else if (item.empty() || !parse_item(kDays, item, cron.days, 1)) {
      bad_field(kDays, text);
    }
  }
}

void parse_weekdays(std::string_view text, CronFields& cron) {
  if (text == "?") {
    cron.day_of_week_any = true;
    return;
  }
  const auto items = split(text, ',');
  for (auto item : items) {
    if (item == "L") {
      cron.weekdays.set(6);  // Quartz: L alone in day-of-week is its last day, Saturday
    } else if (size_t hash = item.find('#'); hash != std::string_view::npos) {
      // AWS: "if you use '#', you can define only one expression in the day-of-week field".
      auto day = parse_value(kWeekdays, item.substr(0, hash));
      auto nth = parse_number(item.substr(hash + 1));
      if (items.size() != 1 || !day || !nth || *nth < 1 || *nth > 5) bad_field(kWeekdays, text);
      cron.nth_weekdays.emplace_back(*day - 1, *nth);
    } else if (item.size() > 1 && (item.back() == 'L' || item.back() == 'l')) {
      auto day = parse_value(kWeekdays, item.substr(0, item.size() - 1));
      if (!day) bad_field(kWeekdays, text);
      cron.last_weekdays.push_back(*day - 1);
    } else if (item.empty() || !parse_item(kWeekdays, item, cron.weekdays, 0)) {
      bad_field(kWeekdays, text);
    }
  }
}

CronFields parse_cron(std::string_view body) {
  std::vector<std::string_view> fields;
  for (size_t pos = 0; pos < body.size();) {
    if (std::isspace(static_cast<unsigned char>(body[pos]))) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < body.size() && !std::isspace(static_cast<unsigned char>(body[end]))) ++end;
    fields.push_back(body.substr(pos, end - pos));
    pos = end;
  }
  if (fields.size() != 6) {
    throw ScheduleError(
        "cron() needs 6 fields (minutes hours day-of-month month day-of-week year), got " +
        std::to_string(fields.size()));
  }
  if ((fields[2] == "?") == (fields[4] == "?")) {
    throw ScheduleError("cron(): exactly one of day-of-month and day-of-week must be '?'");
  }
  CronFields cron;
  parse_plain(kMinutes, fields[0], cron.minutes, 0);
  parse_plain(kHours, fields[1], cron.hours, 0);
  parse_days(fields[2], cron);
  parse_plain(kMonths, fields[3], cron.months, 1);
  parse_weekdays(fields[4], cron);
  parse_plain(kYears, fields[5], cron.years, 0);
  return cron;
}

std::chrono::minutes parse_rate(std::string_view body) {
  static const std::regex rate("([0-9]+) (minute|minutes|hour|hours|day|days)");
  std::smatch match;
  const std::string text(body);
  if (!std::regex_match(text, match, rate)) {
    throw ScheduleError(
        "rate() takes a whole number and a unit: rate(5 minutes), rate(1 hour), rate(2 days)");
  }
  auto value = parse_number(match[1].str());
  if (!value || *value <= 0) throw ScheduleError("rate() needs a value of 1 or more");
  const std::string unit = match[2].str();
  if ((unit.back() == 's') != (*value != 1)) {
    throw ScheduleError(*value == 1
                            ? "rate(1 ...) takes a singular unit (minute, hour, day)"
                            : "rate() with a value above 1 takes a plural unit (minutes, hours, "
                              "days)");
  }
  const long long per_unit = unit.starts_with("minute") ? 1 : unit.starts_with("hour") ? 60 : 1440;
  return std::chrono::minutes(*value * per_unit);
}

std::chrono::local_seconds parse_at(std::string_view body) {
  static const std::regex at("([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})");
  std::smatch m;
  const std::string text(body);
  if (std::regex_match(text, m, at)) {
    using namespace std::chrono;
    const year_month_day ymd{year(std::stoi(m[1])), month(std::stoul(m[2])), day(std::stoul(m[3]))};
    const int h = std::stoi(m[4]), min = std::stoi(m[5]), sec = std::stoi(m[6]);
    if (ymd.ok() && h < 24 && min < 60 && sec < 60) {
      return local_days(ymd) + hours(h) + minutes(min) + seconds(sec);
    }
  }
  throw ScheduleError("at() takes a date and time: at(2025-12-31T23:59:00)");
}

}  // namespace

Expression Expression::parse(std::string_view text, bool allow_at) {
  Expression expression;
  expression.text_ = std::string(text);
  if (text.ends_with(")")) {
    const size_t open = text.find('(');
    const std::string_view kind = text.substr(0, open);
    const std::string_view body =
        open == std::string_view::npos ? "" : text.substr(open + 1, text.size() - open - 2);
    if (kind == "rate") {
      expression.spec_ = parse_rate(body);
      return expression;
    }
    if (kind == "cron") {
      expression.spec_ = parse_cron(body);
      return expression;
    }
    if (kind == "at" && allow_at) {
      expression.spec_ = parse_at(body);
      return expression;
    }
  }
  throw ScheduleError(allow_at ? "must be rate(...), cron(...) or at(...)"
                               : "must be rate(...) or cron(...)");
}

Expression::Kind Expression::kind() const {
  switch (spec_.index()) {
    case 0:
      return Kind::rate;
    case 1:
      return Kind::cron;
    default:
      return Kind::at;
  }
}

}  // namespace lambdad::schedule
