// EventBridge schedule expressions as a template's Schedule / ScheduleV2 events give them:
// rate(), cron() and at(); the first byte says whether at() is allowed (Scheduler) or not.

#include "lambdad/deploy/schedule_expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool allow_at = data[0] & 1;
  const std::string_view expression(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)lambdad::deploy::check_schedule_expression(expression, allow_at);
  return 0;
}
