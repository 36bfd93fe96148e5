#pragma once
/// @brief EventBridge schedule expressions: rate(), cron() and (Scheduler only) at(), parsed
/// once into typed fields, and the time zones their cron() / at() are read in.
///
/// Thread safety: an Expression and a TimeZone are immutable values, safe to share.

#include <bitset>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace date {
class time_zone;
}

namespace lambdad::schedule {

/// The one error of this module: a schedule expression, time zone or date AWS would reject.
/// what() says what is wrong; kInvalidExpression is the message AWS's APIs answer with.
class ScheduleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::string_view kInvalidExpression = "Parameter ScheduleExpression is not valid.";

using TimePoint = std::chrono::sys_seconds;

inline constexpr int kFirstYear = 1970;  ///< cron()'s year field: 1970-2199
inline constexpr int kLastYear = 2199;

/// cron(minutes hours day-of-month month day-of-week year). Exactly one of day-of-month and
/// day-of-week is '?', whose field then does not restrict the day.
struct CronFields {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<13> months;  ///< 1-12
  std::bitset<kLastYear - kFirstYear + 1> years;
  bool day_of_month_any = false;      ///< '?' in day-of-month
  std::bitset<32> days;               ///< 1-31
  std::vector<int> last_day_offsets;  ///< L (0) and L-n (n): the last day minus n
  bool last_weekday = false;          ///< LW: the last weekday (Monday-Friday) of the month
  std::vector<int> nearest_weekdays;  ///< nW: the weekday nearest day n, within the month
  bool day_of_week_any = false;       ///< '?' in day-of-week
  std::bitset<7> weekdays;            ///< 0 = Sunday (cron's 1 = SUN ... 7 = SAT)
  std::vector<int> last_weekdays;     ///< nL: the last such weekday of the month (0 = Sunday)
  std::vector<std::pair<int, int>> nth_weekdays;  ///< n#k: the k-th such weekday (0 = Sunday)

  bool operator==(const CronFields&) const = default;
};

class Expression {
 public:
  enum class Kind { rate, cron, at };

  /// Throws ScheduleError (what(): the problem, e.g. "cron(): bad hours field '25'").
  /// allow_at: at() is the Scheduler's one-time schedule; EventBridge rules reject it.
  static Expression parse(std::string_view text, bool allow_at);

  Kind kind() const;
  const std::string& text() const { return text_; }
  /// rate(): the period (minute = 60 s, hour = 3600 s, day = 86400 s: AWS counts a rate in
  /// days as 24 hours, even across a DST change).
  std::chrono::minutes rate() const { return std::get<std::chrono::minutes>(spec_); }
  const CronFields& cron() const { return std::get<CronFields>(spec_); }
  /// at(): the wall-clock time in the schedule's time zone.
  std::chrono::local_seconds at() const { return std::get<std::chrono::local_seconds>(spec_); }

  bool operator==(const Expression&) const = default;

 private:
  std::string text_;
  std::variant<std::chrono::minutes, CronFields, std::chrono::local_seconds> spec_;
};

/// An IANA time zone of the system's tz database (/usr/share/zoneinfo), through Howard
/// Hinnant's date library (Debian's libhowardhinnant-date-dev, USE_OS_TZDB).
class TimeZone {
 public:
  TimeZone() = default;  ///< UTC
  /// Throws ScheduleError for a name the tz database does not have.
  static TimeZone locate(std::string_view name);

  const std::string& name() const { return name_; }
  std::chrono::local_seconds to_local(TimePoint time) const;
  /// The instant of a wall-clock time: nullopt when a DST gap skips it; the earlier of the two
  /// when the clocks going back repeat it (so a schedule fires once in a repeated hour).
  std::optional<TimePoint> to_sys(std::chrono::local_seconds local) const;
  /// As to_sys, but a time in a gap gives the instant the gap ends.
  TimePoint to_sys_or_after(std::chrono::local_seconds local) const;

  bool operator==(const TimeZone& other) const { return name_ == other.name_; }

 private:
  std::string name_ = "UTC";
  const date::time_zone* zone_ = nullptr;  ///< nullptr: UTC
};

/// The first fire strictly after `after`, or nullopt when there is none (an at() in the past,
/// a cron() whose years are over, a day that never comes such as 30 February).
/// - rate(): rate_anchor + k * period, k >= 0 (the anchor is the schedule's start; runner.hpp
///   says which).
/// - cron(): evaluated in `zone`. As EventBridge Scheduler documents, a time that a DST
///   change skips does not fire, and a repeated hour fires once (its first occurrence).
/// - at(): once, at that wall-clock time in `zone` (inside a DST gap: when the gap ends).
std::optional<TimePoint> next_fire(const Expression& expression, TimePoint after,
                                   const TimeZone& zone, TimePoint rate_anchor = {});

/// "2026-12-07T17:00:00Z": how EventBridge writes an event's time.
std::string format_utc(TimePoint time);
/// "2025-01-01T00:00:00Z", "2025-01-01T01:00:00+01:00", "2025-01-01T00:00:00" (UTC),
/// "2025-01-01T00:00:00.000Z": CloudFormation's StartDate / EndDate. Throws ScheduleError.
TimePoint parse_timestamp(std::string_view text);

}  // namespace lambdad::schedule
