#include "lambdad/schedule/runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "lambdad/common/ids.hpp"
#include "lambdad/schedule/event.hpp"

namespace lambdad::schedule {

AsioClock::AsioClock(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}

TimePoint AsioClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

void AsioClock::wake_at(TimePoint when, std::function<void()> wake) {
  timer_.expires_at(when);  // cancels the pending wait, whose handler sees operation_aborted
  timer_.async_wait([wake = std::move(wake)](const boost::system::error_code& error) {
    if (!error) wake();
  });
}

void AsioClock::cancel() {
  timer_.cancel();
}

std::optional<TimePoint> MemoryFireLog::last_fire(const std::string& arn) {
  auto it = fires_.find(arn);
  if (it == fires_.end()) return std::nullopt;
  return it->second;
}

void MemoryFireLog::record_fire(const std::string& arn, TimePoint scheduled_time) {
  fires_[arn] = scheduled_time;
}

Runner::Runner(Clock& clock, FireLog& log, FireCallback fire, std::function<std::string()> new_id)
    : clock_(clock), log_(log), fire_(std::move(fire)), new_id_(std::move(new_id)) {
  if (!new_id_) new_id_ = new_request_id;
}

Runner::~Runner() {
  clock_.cancel();
}

void Runner::update(const std::vector<ScheduleDefinition>& schedules) {
  const TimePoint now = clock_.now();
  std::vector<std::unique_ptr<Entry>> entries;
  for (const ScheduleDefinition& definition : schedules) {
    auto kept = std::find_if(entries_.begin(), entries_.end(), [&](const auto& entry) {
      return entry && entry->schedule.definition == definition;
    });
    if (kept != entries_.end()) {
      entries.push_back(std::move(*kept));
      continue;
    }
    try {
      auto entry = std::make_unique<Entry>(Entry{Compiled(definition), std::nullopt});
      entry->next = planned_fire(entry->schedule, now, log_.last_fire(definition.arn));
      entries.push_back(std::move(entry));
    } catch (const ScheduleError& error) {
      spdlog::warn("schedule {} ({}) is not run: {}", definition.name, definition.expression,
                   error.what());
    }
  }
  entries_ = std::move(entries);
  arm();
}

std::vector<PlannedSchedule> Runner::planned() const {
  std::vector<PlannedSchedule> out;
  for (const auto& entry : entries_) out.push_back({entry->schedule.definition, entry->next});
  return out;
}

void Runner::arm() {
  std::optional<TimePoint> earliest;
  for (const auto& entry : entries_) {
    if (entry->next && (!earliest || *entry->next < *earliest)) earliest = entry->next;
  }
  if (!earliest) {
    clock_.cancel();
    return;
  }
  clock_.wake_at(*earliest, [this] { on_wake(); });
}

void Runner::on_wake() {
  const TimePoint now = clock_.now();
  for (const auto& entry : entries_) {
    if (!entry->next || *entry->next > now) continue;
    const TimePoint due = *entry->next;
    const ScheduleDefinition& definition = entry->schedule.definition;
    // Recorded after the callback took the fire: a crash between them fires it again on
    // restart rather than losing it (EventBridge's delivery is at-least-once too).
    try {
      const std::string id = new_id_();
      fire_(definition, due, scheduled_event(definition, due, id), id);
      log_.record_fire(definition.arn, due);
    } catch (const std::exception& error) {
      // The queue or the FireLog's database failed: not recorded, so a restart makes the fire
      // again (once); the schedule itself goes on.
      spdlog::error("schedule {}: the fire due at {} failed: {}", definition.name, format_utc(due),
                    error.what());
    }
    entry->next = fire_after(entry->schedule, due, now);
  }
  arm();
}

}  // namespace lambdad::schedule
