// When a schedule fires next. cron() is matched here (see expression.cpp for why lambdad has its
// own matcher): days are walked in the schedule's wall-clock time, and each matching minute is
// turned into an instant through the time zone, which skips DST gaps and takes the first of a
// repeated hour.
#include "lambdad/schedule/expression.hpp"

namespace lambdad::schedule {

namespace {

using namespace std::chrono;

unsigned last_day_of(const year_month_day& date) {
  return static_cast<unsigned>(
      year_month_day_last(date.year(), month_day_last(date.month())).day());
}

bool is_weekend(const year_month_day& date) {
  const weekday day{sys_days(date)};
  return day == Saturday || day == Sunday;
}

/// The weekday (Monday-Friday) nearest day `n`, without leaving the month (Quartz's nW: 1W on a
/// Saturday is Monday the 3rd, not Friday of the month before).
unsigned nearest_weekday(const year_month_day& date, unsigned n) {
  const unsigned last = last_day_of(date);
  const weekday day{sys_days(date.year() / date.month() / std::chrono::day(n))};
  if (day == Saturday) return n == 1 ? 3 : n - 1;
  if (day == Sunday) return n == last ? n - 2 : n + 1;
  return n;
}

bool day_of_month_matches(const CronFields& cron, const year_month_day& date) {
  const unsigned day = static_cast<unsigned>(date.day());
  if (cron.days.test(day)) return true;
  const unsigned last = last_day_of(date);
  for (int offset : cron.last_day_offsets) {
    if (static_cast<int>(last) - offset >= 1 && day == last - static_cast<unsigned>(offset)) {
      return true;
    }
  }
  if (cron.last_weekday && !is_weekend(date)) {
    // The last Monday-Friday: no later weekday in the month.
    bool later_weekday = false;
    for (unsigned d = day + 1; d <= last; ++d) {
      later_weekday |= !is_weekend(date.year() / date.month() / std::chrono::day(d));
    }
    if (!later_weekday) return true;
  }
  for (int n : cron.nearest_weekdays) {
    if (static_cast<unsigned>(n) <= last &&
        nearest_weekday(date, static_cast<unsigned>(n)) == day) {
      return true;
    }
  }
  return false;
}

bool day_of_week_matches(const CronFields& cron, const year_month_day& date) {
  const unsigned index = weekday(sys_days(date)).c_encoding();  // 0 = Sunday
  if (cron.weekdays.test(index)) return true;
  const unsigned day = static_cast<unsigned>(date.day());
  for (int wanted : cron.last_weekdays) {
    if (static_cast<unsigned>(wanted) == index && day + 7 > last_day_of(date)) return true;
  }
  for (auto [wanted, nth] : cron.nth_weekdays) {
    if (static_cast<unsigned>(wanted) == index && (day - 1) / 7 + 1 == static_cast<unsigned>(nth)) {
      return true;
    }
  }
  return false;
}

bool day_matches(const CronFields& cron, const year_month_day& date) {
  if (cron.day_of_month_any) return day_of_week_matches(cron, date);
  return day_of_month_matches(cron, date);
}

std::optional<TimePoint> next_cron(const CronFields& cron, TimePoint after, const TimeZone& zone) {
  // Instants grow with wall-clock times (the first of a repeated hour is taken), and a clock
  // change moves the wall clock by at most two hours (Antarctica/Troll; most by one): start
  // three hours before `after`'s wall-clock time and take the first matching minute whose
  // instant is after `after`.
  const local_seconds start = zone.to_local(after) - hours(3);
  local_days day = floor<days>(start);
  while (true) {
    const year_month_day date(day);
    const int year_value = static_cast<int>(date.year());
    if (year_value > kLastYear) return std::nullopt;
    if (year_value < kFirstYear || !cron.years.test(static_cast<size_t>(year_value - kFirstYear))) {
      day = local_days(std::chrono::year(year_value + 1) / January / 1);
      continue;
    }
    if (!cron.months.test(static_cast<unsigned>(date.month()))) {
      day = local_days((date.year() / date.month() / 1) + months(1));
      continue;
    }
    if (day_matches(cron, date)) {
      for (size_t h = 0; h < cron.hours.size(); ++h) {
        if (!cron.hours.test(h)) continue;
        for (size_t m = 0; m < cron.minutes.size(); ++m) {
          if (!cron.minutes.test(m)) continue;
          const local_seconds local = day + hours(h) + minutes(m);
          if (local < start) continue;
          const auto time = zone.to_sys(local);
          if (time && *time > after) return time;
        }
      }
    }
    day += days(1);
  }
}

}  // namespace

std::optional<TimePoint> next_fire(const Expression& expression, TimePoint after,
                                   const TimeZone& zone, TimePoint rate_anchor) {
  switch (expression.kind()) {
    case Expression::Kind::rate: {
      const seconds period = expression.rate();
      if (after < rate_anchor) return rate_anchor;
      return rate_anchor + ((after - rate_anchor) / period + 1) * period;
    }
    case Expression::Kind::cron:
      return next_cron(expression.cron(), after, zone);
    case Expression::Kind::at: {
      const TimePoint time = zone.to_sys_or_after(expression.at());
      if (time > after) return time;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace lambdad::schedule
