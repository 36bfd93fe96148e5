#pragma once
/// @brief Fires a template's schedules on time: keeps each one's next fire, wakes at the
/// earliest through an injected Clock, and hands each fire to a callback (the lead's durable
/// queue). The last fire of each schedule goes to a FireLog, so after a restart a schedule that
/// was due while lambdad was down fires once, at once.
///
/// Thread safety: a Runner, its Clock and its FireLog are used from one thread / strand (the io
/// executor of AsioClock); the fire callback runs there too.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/system_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lambdad/common/schedule_definition.hpp"
#include "lambdad/schedule/definition.hpp"

namespace lambdad::schedule {

/// Wall-clock time and one pending wake-up. Tests use a fake that moves time by hand.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  /// Calls `wake` once, at or after `when`, unless cancel() or another wake_at comes first
  /// (one wake-up is pending at a time). Never calls it from inside wake_at.
  virtual void wake_at(TimePoint when, std::function<void()> wake) = 0;
  virtual void cancel() = 0;
};

/// The real clock: a system_timer on an io executor (no thread of its own). Asio's reactor
/// re-reads the system clock at least every five minutes, so a clock change delays a wake by
/// at most that.
class AsioClock : public Clock {
 public:
  explicit AsioClock(boost::asio::any_io_executor executor);
  TimePoint now() const override;
  void wake_at(TimePoint when, std::function<void()> wake) override;
  void cancel() override;

 private:
  boost::asio::system_timer timer_;
};

/// Where the last fire of each schedule is kept (keyed by ScheduleDefinition::arn). The Runner
/// reads it in update() and writes it after each fire. With the queue engine, the durable copy is
/// a mark written in the fire's enqueue transaction (queue::Engine::enqueue's `marks`), and this
/// is a MemoryFireLog seeded from queue::Engine::marks() before the first update().
class FireLog {
 public:
  virtual ~FireLog() = default;
  virtual std::optional<TimePoint> last_fire(const std::string& arn) = 0;
  virtual void record_fire(const std::string& arn, TimePoint scheduled_time) = 0;
};

class MemoryFireLog : public FireLog {
 public:
  std::optional<TimePoint> last_fire(const std::string& arn) override;
  void record_fire(const std::string& arn, TimePoint scheduled_time) override;

 private:
  std::map<std::string, TimePoint> fires_;
};

/// schedule, the time it was due (the event's time), its payload (event.hpp) and the fire's id
/// (the payload's "id" / <aws.scheduler.execution-id>; a queue message id). Called on the
/// runner's executor; it must not call the Runner back (update() from inside it). An exception
/// it throws is logged and the fire not recorded (a restart makes it again, once).
using FireCallback =
    std::function<void(const ScheduleDefinition& schedule, TimePoint scheduled_time,
                       const std::string& event, const std::string& id)>;

class Runner {
 public:
  /// new_id: the event / execution id of each fire (new_request_id() when empty).
  Runner(Clock& clock, FireLog& log, FireCallback fire,
         std::function<std::string()> new_id = nullptr);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  /// Starts with, or redeploys to, these schedules. A schedule whose definition is unchanged
  /// keeps its next fire; a new or changed one is planned from its last fire (FireLog);
  /// removed ones stop. One whose expression or time zone is bad is skipped (logged).
  void update(const std::vector<ScheduleDefinition>& schedules);

  /// Every schedule with its next fire, in update()'s order (for `lambdad schedules`).
  std::vector<PlannedSchedule> planned() const;

 private:
  struct Entry {
    Compiled schedule;
    std::optional<TimePoint> next;
  };

  void arm();
  void on_wake();

  Clock& clock_;
  FireLog& log_;
  FireCallback fire_;
  std::function<std::string()> new_id_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace lambdad::schedule
