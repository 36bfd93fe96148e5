#include "lambdad/common/platform_log.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace lambdad {
namespace {

/// Hundredths of a millisecond, rounded: the precision AWS prints, and the value billing rounds
/// up from, so the printed Duration and the Billed Duration never disagree (38.00 → 38).
long long hundredths(double ms) {
  if (!std::isfinite(ms) || ms <= 0) return 0;
  return std::llround(ms * 100.0);
}

std::string two_decimals(double value) {
  const long long h = hundredths(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%02lld", h / 100, h % 100);
  return buffer;
}

}  // namespace

std::string start_line(std::string_view request_id, std::string_view version) {
  std::string line = "START RequestId: ";
  line.append(request_id).append(" Version: ").append(version.empty() ? "$LATEST" : version);
  return line;
}

std::string end_line(std::string_view request_id) {
  return std::string("END RequestId: ").append(request_id);
}

long long billed_duration_ms(double duration_ms) {
  const long long billed = (hundredths(duration_ms) + 99) / 100;
  return billed < 1 ? 1 : billed;
}

std::string report_line(const ReportFigures& f) {
  std::string line = "REPORT RequestId: " + f.request_id;
  line += "\tDuration: " + two_decimals(f.duration_ms) + " ms";
  line += "\tBilled Duration: " + std::to_string(billed_duration_ms(f.duration_ms)) + " ms";
  line += "\tMemory Size: " + std::to_string(f.memory_size_mb) + " MB";
  line += "\tMax Memory Used: " + std::to_string(f.max_memory_used_mb) + " MB";
  if (f.init_duration_ms) line += "\tInit Duration: " + two_decimals(*f.init_duration_ms) + " ms";
  line += '\t';
  return line;
}

std::string timeout_line(long long epoch_ms, std::string_view request_id, double seconds) {
  std::string line = iso8601_ms(epoch_ms);
  line.append(" ").append(request_id);
  line += " Task timed out after " + two_decimals(seconds) + " seconds";
  return line;
}

std::string iso8601_ms(long long epoch_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds(epoch_ms)};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char buffer[40];
  std::snprintf(
      buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return buffer;
}

}  // namespace lambdad
