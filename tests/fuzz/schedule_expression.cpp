// EventBridge schedule expressions as a template's Schedule / ScheduleV2 events give them:
// rate(), cron() and at(); the first byte says whether at() is allowed (Scheduler) or not. An
// expression that parses also gets its next fires, in UTC and across New York's DST changes
// (next_fire must end, and move forward).

#include <cstdint>
#include <cstdlib>

#include "lambdad/deploy/schedule_expression.hpp"
#include "lambdad/schedule/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool allow_at = data[0] & 1;
  const std::string_view expression(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!lambdad::deploy::check_schedule_expression(expression, allow_at).empty()) return 0;
  using namespace lambdad::schedule;
  static const TimeZone utc, york = TimeZone::locate("America/New_York");
  const Expression parsed = Expression::parse(expression, allow_at);
  const TimePoint after = parse_timestamp("2026-03-08T05:00:00Z");
  for (const TimeZone* zone : {&utc, &york}) {
    auto first = next_fire(parsed, after, *zone, after);
    if (first && *first <= after) std::abort();
    if (first) {
      auto second = next_fire(parsed, *first, *zone, after);
      if (second && *second <= *first) std::abort();
    }
  }
  return 0;
}
