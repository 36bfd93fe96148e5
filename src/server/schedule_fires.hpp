#pragma once
// The template's schedules, fired into the async queue: each fire is an Event invoke of its
// target, committed together with the schedule's last fire (a queue mark), so that a restart
// neither loses a fire nor makes one twice; a schedule that was due while lambdad was down fires
// once on start (schedule/runner.hpp).

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "lambdad/async/async_invoker.hpp"
#include "lambdad/common/schedule_definition.hpp"
#include "lambdad/queue/engine.hpp"
#include "lambdad/schedule/runner.hpp"

namespace lambdad::server {

class ScheduleFires {
 public:
  ScheduleFires(boost::asio::any_io_executor io, async::AsyncInvoker& async, queue::Engine& engine);

  /// Reads each schedule's last fire from the queue's marks, then runs `schedules`.
  boost::asio::awaitable<void> start(std::vector<ScheduleDefinition> schedules);
  /// A redeploy's schedules (unchanged ones keep their next fire). Before start(): kept for it.
  void update(const std::vector<ScheduleDefinition>& schedules);
  std::vector<schedule::PlannedSchedule> planned() const { return runner_.planned(); }

 private:
  void fire(const ScheduleDefinition& schedule, schedule::TimePoint scheduled_time,
            const std::string& event, const std::string& id);

  boost::asio::any_io_executor io_;
  async::AsyncInvoker& async_;
  queue::Engine& engine_;
  schedule::AsioClock clock_;
  schedule::MemoryFireLog log_;
  schedule::Runner runner_;
  bool started_ = false;
  std::vector<ScheduleDefinition> pending_;  ///< a redeploy's, before start() finished
};

}  // namespace lambdad::server
