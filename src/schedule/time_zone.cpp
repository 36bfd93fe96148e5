#include <date/tz.h>

#include <cstdio>

#include "lambdad/common/regex.hpp"
#include "lambdad/schedule/expression.hpp"

namespace lambdad::schedule {

namespace {

date::local_seconds to_date(std::chrono::local_seconds local) {
  return date::local_seconds(local.time_since_epoch());
}

}  // namespace

TimeZone TimeZone::locate(std::string_view name) {
  TimeZone zone;
  if (name == "UTC") return zone;
  try {
    zone.zone_ = date::locate_zone(name);
  } catch (const std::exception&) {
    // date throws std::runtime_error for an unknown name (and when there is no tz database).
    throw ScheduleError("unknown time zone '" + std::string(name) +
                        "' (an IANA tz database name such as Europe/Paris or America/New_York)");
  }
  zone.name_ = std::string(name);
  return zone;
}

std::chrono::local_seconds TimeZone::to_local(TimePoint time) const {
  if (!zone_) return std::chrono::local_seconds(time.time_since_epoch());
  const auto offset = zone_->get_info(time).offset;
  return std::chrono::local_seconds((time + offset).time_since_epoch());
}

std::optional<TimePoint> TimeZone::to_sys(std::chrono::local_seconds local) const {
  if (!zone_) return TimePoint(local.time_since_epoch());
  const date::local_info info = zone_->get_info(to_date(local));
  if (info.result == date::local_info::nonexistent) return std::nullopt;
  // unique: first is the only offset; ambiguous: first is the offset before the clocks went
  // back, which gives the earlier instant.
  return TimePoint(local.time_since_epoch() - info.first.offset);
}

TimePoint TimeZone::to_sys_or_after(std::chrono::local_seconds local) const {
  if (auto time = to_sys(local)) return *time;
  // In a gap: the transition's instant (where info.second begins).
  return std::chrono::time_point_cast<std::chrono::seconds>(
      zone_->get_info(to_date(local)).second.begin);
}

std::string format_utc(TimePoint time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day ymd(day);
  const hh_mm_ss clock(time - day);
  char text[32];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

TimePoint parse_timestamp(std::string_view text) {
  using namespace std::chrono;
  static const std::regex pattern(
      "([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.[0-9]+)?)?"
      "(Z|[+-][0-9]{2}:?[0-9]{2})?");
  std::smatch m;
  const std::string given(text);
  if (std::regex_match(given, m, pattern)) {
    const year_month_day ymd{year(std::stoi(m[1])), month(std::stoul(m[2])), day(std::stoul(m[3]))};
    const int h = std::stoi(m[4]), min = std::stoi(m[5]);
    const int sec = m[6].matched ? std::stoi(m[6]) : 0;
    if (ymd.ok() && h < 24 && min < 60 && sec < 60) {
      TimePoint time = sys_days(ymd) + hours(h) + minutes(min) + seconds(sec);
      if (m[7].matched && m[7].str() != "Z") {
        std::string offset = m[7].str();
        std::erase(offset, ':');
        const int sign = offset[0] == '-' ? -1 : 1;
        const int oh = std::stoi(offset.substr(1, 2)), om = std::stoi(offset.substr(3, 2));
        if (oh > 23 || om > 59) throw ScheduleError("bad UTC offset in '" + given + "'");
        time -= sign * (hours(oh) + minutes(om));
      }
      return time;
    }
  }
  throw ScheduleError("'" + given +
                      "' is not a date and time (ISO 8601, e.g. 2025-01-01T00:00:00Z)");
}

}  // namespace lambdad::schedule
