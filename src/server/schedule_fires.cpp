#include "schedule_fires.hpp"

#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/queue/error.hpp"

namespace lambdad::server {

namespace asio = boost::asio;

namespace {

/// The queue mark that holds a schedule's last fire (milliseconds since the epoch).
constexpr const char* kMarkPrefix = "schedule:";

int64_t epoch_ms_of(schedule::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

ScheduleFires::ScheduleFires(asio::any_io_executor io, async::AsyncInvoker& async,
                             queue::Engine& engine)
    : io_(io),
      async_(async),
      engine_(engine),
      clock_(io),
      runner_(clock_, log_,
              [this](const ScheduleDefinition& schedule, schedule::TimePoint time,
                     const std::string& event,
                     const std::string& id) { fire(schedule, time, event, id); }) {}

asio::awaitable<void> ScheduleFires::start(std::vector<ScheduleDefinition> schedules) {
  const std::map<std::string, int64_t> marks = co_await engine_.marks(kMarkPrefix);
  for (const auto& [key, ms] : marks) {
    log_.record_fire(key.substr(std::string_view(kMarkPrefix).size()),
                     schedule::TimePoint(
                         std::chrono::floor<std::chrono::seconds>(std::chrono::milliseconds(ms))));
  }
  started_ = true;
  runner_.update(pending_.empty() ? schedules : pending_);
  pending_.clear();
  if (!schedules.empty()) {
    spdlog::info("schedules: {} running (lambdad schedules lists their next fires)",
                 runner_.planned().size());
  }
}

void ScheduleFires::update(const std::vector<ScheduleDefinition>& schedules) {
  if (!started_) {
    pending_ = schedules;
    return;
  }
  runner_.update(schedules);
}

void ScheduleFires::fire(const ScheduleDefinition& schedule, schedule::TimePoint scheduled_time,
                         const std::string& event, const std::string& id) {
  std::map<std::string, int64_t> marks{{kMarkPrefix + schedule.arn, epoch_ms_of(scheduled_time)}};
  const std::string name = schedule.name;
  asio::co_spawn(
      io_, async_.enqueue_event(schedule.function, schedule.qualifier, event, id, std::move(marks)),
      [name](std::exception_ptr error) {
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const AwsError& e) {
          spdlog::warn("schedule {}: not fired: {}", name, e.message);
        } catch (const std::exception& e) {
          // Its mark was not written either: the next start fires it (once).
          spdlog::error("schedule {}: its fire could not be stored: {}", name, e.what());
        }
      });
}

}  // namespace lambdad::server
