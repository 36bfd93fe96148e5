#pragma once
/// @brief The platform lines Lambda writes around each invocation, in AWS's exact text format.

#include <optional>
#include <string>
#include <string_view>

namespace lambdad {

struct ReportFigures {
  std::string request_id;
  double duration_ms = 0;
  int memory_size_mb = 0;
  int max_memory_used_mb = 0;
  std::optional<double> init_duration_ms;
};

std::string start_line(std::string_view request_id, std::string_view version);
std::string end_line(std::string_view request_id);
/// `REPORT RequestId: …\tDuration: 1.23 ms\tBilled Duration: 2 ms\t…` (with the trailing tab).
std::string report_line(const ReportFigures& figures);
/// Billed Duration: Duration rounded up to the next whole millisecond (at least 1).
long long billed_duration_ms(double duration_ms);
/// `2024-01-01T00:00:00.000Z <id> Task timed out after 3.00 seconds`
std::string timeout_line(long long epoch_ms, std::string_view request_id, double seconds);
/// RFC 3339 UTC with milliseconds, e.g. 2024-01-01T00:00:00.000Z
std::string iso8601_ms(long long epoch_ms);

}  // namespace lambdad
