// The runner on a fake clock: fires on time, keeps unchanged schedules' times across a
// redeploy, fires a schedule missed while down once, honours StartDate / EndDate / disabled, and
// fires at() once. No test waits: the fake clock jumps.
#include "lambdad/schedule/runner.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace lambdad::schedule {
namespace {

TimePoint at(const std::string& text) {
  return parse_timestamp(text);
}

class FakeClock : public Clock {
 public:
  explicit FakeClock(TimePoint now) : now_(now) {}
  TimePoint now() const override { return now_; }
  void wake_at(TimePoint when, std::function<void()> wake) override {
    pending_.emplace(when, std::move(wake));
  }
  void cancel() override { pending_.reset(); }

  /// Moves time to `target`, waking the runner at each time it asked for on the way.
  void advance_to(TimePoint target) {
    while (pending_ && pending_->first <= target) {
      auto [when, wake] = std::move(*pending_);
      pending_.reset();
      now_ = std::max(now_, when);
      wake();
    }
    now_ = target;
  }
  std::optional<TimePoint> pending() const {
    return pending_ ? std::optional(pending_->first) : std::nullopt;
  }

 private:
  TimePoint now_;
  std::optional<std::pair<TimePoint, std::function<void()>>> pending_;
};

ScheduleDefinition rule(const std::string& name, const std::string& expression) {
  return ScheduleDefinition{.name = name,
                            .arn = "arn:aws:events:us-east-1:123456789012:rule/" + name,
                            .function = "Worker",
                            .expression = expression};
}

ScheduleDefinition scheduler(const std::string& name, const std::string& expression,
                             const std::string& zone = "UTC") {
  return ScheduleDefinition{
      .name = name,
      .arn = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/" + name,
      .scheduler = true,
      .function = "Worker",
      .expression = expression,
      .timezone = zone};
}

struct Fire {
  std::string name;
  std::string time;
  std::string event;
  std::string id;
};

class RunnerTest : public ::testing::Test {
 protected:
  FakeClock clock{at("2026-12-07T17:00:00Z")};
  MemoryFireLog log;
  std::vector<Fire> fires;
  int ids = 0;
  std::unique_ptr<Runner> runner = make_runner();

  std::unique_ptr<Runner> make_runner() {
    return std::make_unique<Runner>(
        clock, log,
        [this](const ScheduleDefinition& schedule, TimePoint time, const std::string& event,
               const std::string& id) {
          fires.push_back({schedule.name, format_utc(time), event, id});
        },
        [this] { return "id-" + std::to_string(++ids); });
  }
  std::vector<std::string> fired() const {
    std::vector<std::string> out;
    for (const auto& fire : fires) out.push_back(fire.name + "@" + fire.time);
    return out;
  }
};

TEST_F(RunnerTest, FiresCronOnTimeWithTheScheduledEvent) {
  runner->update({rule("Quarter", "cron(0/15 * * * ? *)")});
  EXPECT_EQ(clock.pending(), at("2026-12-07T17:15:00Z"));
  clock.advance_to(at("2026-12-07T17:50:00Z"));
  EXPECT_EQ(fired(), (std::vector<std::string>{"Quarter@2026-12-07T17:15:00Z",
                                               "Quarter@2026-12-07T17:30:00Z",
                                               "Quarter@2026-12-07T17:45:00Z"}));
  const auto event = nlohmann::json::parse(fires[0].event);
  EXPECT_EQ(event["detail-type"], "Scheduled Event");
  EXPECT_EQ(event["time"], "2026-12-07T17:15:00Z");
  EXPECT_EQ(event["id"], "id-1");
  EXPECT_EQ(fires[0].id, "id-1");
  EXPECT_EQ(event["resources"][0], "arn:aws:events:us-east-1:123456789012:rule/Quarter");
  EXPECT_EQ(log.last_fire(rule("Quarter", "").arn), at("2026-12-07T17:45:00Z"));
}

TEST_F(RunnerTest, RuleRatesStartOnePeriodAfterDeploySchedulerRatesAtOnce) {
  runner->update({rule("Rule", "rate(1 hour)"), scheduler("Sched", "rate(1 hour)")});
  clock.advance_to(at("2026-12-07T19:30:00Z"));
  EXPECT_EQ(fired(),
            (std::vector<std::string>{"Sched@2026-12-07T17:00:00Z", "Rule@2026-12-07T18:00:00Z",
                                      "Sched@2026-12-07T18:00:00Z", "Rule@2026-12-07T19:00:00Z",
                                      "Sched@2026-12-07T19:00:00Z"}));
}

TEST_F(RunnerTest, RedeployKeepsUnchangedSchedulesAndReplansChangedOnes) {
  runner->update({rule("Kept", "rate(10 minutes)"), rule("Changed", "rate(10 minutes)"),
                  rule("Removed", "rate(10 minutes)")});
  clock.advance_to(at("2026-12-07T17:15:00Z"));  // each fired at 17:10
  ASSERT_EQ(fires.size(), 3u);
  runner->update({rule("Kept", "rate(10 minutes)"), rule("Changed", "rate(30 minutes)"),
                  rule("Added", "cron(0 18 * * ? *)")});
  const auto planned = runner->planned();
  ASSERT_EQ(planned.size(), 3u);
  EXPECT_EQ(planned[0].next_fire, at("2026-12-07T17:20:00Z"));  // kept
  EXPECT_EQ(planned[1].next_fire, at("2026-12-07T17:40:00Z"));  // 30 min after its last fire
  EXPECT_EQ(planned[2].next_fire, at("2026-12-07T18:00:00Z"));
  fires.clear();
  clock.advance_to(at("2026-12-07T18:00:00Z"));
  EXPECT_EQ(fired(),
            (std::vector<std::string>{"Kept@2026-12-07T17:20:00Z", "Kept@2026-12-07T17:30:00Z",
                                      "Kept@2026-12-07T17:40:00Z", "Changed@2026-12-07T17:40:00Z",
                                      "Kept@2026-12-07T17:50:00Z", "Kept@2026-12-07T18:00:00Z",
                                      "Added@2026-12-07T18:00:00Z"}));
}

TEST_F(RunnerTest, ScheduleMissedWhileDownFiresOnceOnStart) {
  log.record_fire(rule("Nightly", "").arn, at("2026-12-07T03:00:00Z"));
  runner->update({rule("Hourly", "cron(0 * * * ? *)"), rule("Rate", "rate(5 minutes)"),
                  rule("Nightly", "cron(0 3 * * ? *)")});
  clock.advance_to(at("2026-12-07T18:00:00Z"));
  runner.reset();  // lambdad stops; the FireLog keeps the last fires
  fires.clear();
  clock.advance_to(at("2026-12-08T09:02:00Z"));  // down for 15 hours
  runner = make_runner();
  runner->update({rule("Hourly", "cron(0 * * * ? *)"), rule("Rate", "rate(5 minutes)"),
                  rule("Nightly", "cron(0 3 * * ? *)")});
  clock.advance_to(at("2026-12-08T09:02:00Z"));
  // Once each, as the latest time missed, at once.
  EXPECT_EQ(fired(),
            (std::vector<std::string>{"Hourly@2026-12-08T09:00:00Z", "Rate@2026-12-08T09:00:00Z",
                                      "Nightly@2026-12-08T03:00:00Z"}));
  fires.clear();
  clock.advance_to(at("2026-12-08T10:00:00Z"));
  EXPECT_EQ(fires.size(), 13u);  // Rate 09:05 ... 10:00 (12) and Hourly 10:00
  EXPECT_EQ(runner->planned()[2].next_fire, at("2026-12-09T03:00:00Z"));
}

TEST_F(RunnerTest, LongDowntimeOfAFrequentScheduleFiresOnceAtTheLatestTime) {
  log.record_fire(rule("Minutely", "").arn, at("2024-01-01T00:00:00Z"));
  log.record_fire(rule("Rate", "").arn, at("2024-01-01T00:00:30Z"));
  clock.advance_to(at("2026-12-07T17:00:45Z"));
  runner->update({rule("Minutely", "cron(* * * * ? *)"), rule("Rate", "rate(1 minute)")});
  clock.advance_to(at("2026-12-07T17:00:50Z"));
  EXPECT_EQ(fired(), (std::vector<std::string>{"Minutely@2026-12-07T17:00:00Z",
                                               "Rate@2026-12-07T17:00:30Z"}));
  EXPECT_EQ(clock.pending(), at("2026-12-07T17:01:00Z"));
}

TEST_F(RunnerTest, NeverFiredSchedulesDoNotCatchUp) {
  clock.advance_to(at("2026-12-07T17:30:00Z"));
  runner->update({rule("Hourly", "cron(0 * * * ? *)")});
  EXPECT_EQ(clock.pending(), at("2026-12-07T18:00:00Z"));
  EXPECT_TRUE(fires.empty());
}

TEST_F(RunnerTest, StartAndEndDatesAndDisabledSchedules) {
  ScheduleDefinition windowed = scheduler("Windowed", "rate(1 hour)");
  windowed.start_date = at("2026-12-07T18:30:00Z");
  windowed.end_date = at("2026-12-07T21:30:00Z");
  ScheduleDefinition cron = scheduler("Cron", "cron(0 * * * ? *)");
  cron.start_date = at("2026-12-07T20:00:00Z");
  cron.end_date = at("2026-12-07T22:00:00Z");  // not at or after EndDate
  ScheduleDefinition off = rule("Off", "rate(1 minute)");
  off.enabled = false;
  runner->update({windowed, cron, off});
  clock.advance_to(at("2026-12-08T00:00:00Z"));
  EXPECT_EQ(fired(), (std::vector<std::string>{
                         "Windowed@2026-12-07T18:30:00Z", "Windowed@2026-12-07T19:30:00Z",
                         "Cron@2026-12-07T20:00:00Z", "Windowed@2026-12-07T20:30:00Z",
                         "Cron@2026-12-07T21:00:00Z"}));
  EXPECT_EQ(clock.pending(), std::nullopt);
  EXPECT_EQ(runner->planned()[2].next_fire, std::nullopt);
}

TEST_F(RunnerTest, AtFiresOnceAndNotAgainAfterARestart) {
  ScheduleDefinition once = scheduler("Once", "at(2026-12-07T19:00:00)", "Europe/Paris");
  once.input = R"({"when": "<aws.scheduler.scheduled-time>"})";
  runner->update({once});
  clock.advance_to(at("2026-12-09T00:00:00Z"));
  EXPECT_EQ(fired(), std::vector<std::string>{"Once@2026-12-07T18:00:00Z"});
  EXPECT_EQ(fires[0].event, R"({"when": "2026-12-07T18:00:00Z"})");
  runner = make_runner();
  runner->update({once});
  EXPECT_EQ(clock.pending(), std::nullopt);
  EXPECT_EQ(fires.size(), 1u);
}

TEST_F(RunnerTest, BadDefinitionsAreSkipped) {
  runner->update({scheduler("Bad", "cron(0 0 * * * *)"),
                  scheduler("Nowhere", "rate(1 hour)", "Mars/Olympus"),
                  rule("Good", "rate(1 minute)")});
  ASSERT_EQ(runner->planned().size(), 1u);
  EXPECT_EQ(runner->planned()[0].definition.name, "Good");
}

TEST(AsioClockTest, WakesOnTheIoExecutorAndCancels) {
  boost::asio::io_context io;
  AsioClock clock(io.get_executor());
  int woken = 0;
  clock.wake_at(clock.now() - std::chrono::seconds(1), [&] { ++woken; });
  io.run();
  EXPECT_EQ(woken, 1);
  io.restart();
  clock.wake_at(clock.now() + std::chrono::hours(1), [&] { ++woken; });
  clock.cancel();
  io.run();  // the cancelled wait ends without waking
  EXPECT_EQ(woken, 1);
  io.restart();
  clock.wake_at(clock.now() + std::chrono::hours(1), [&] { ++woken; });
  clock.wake_at(clock.now() - std::chrono::seconds(1), [&] { woken += 10; });  // replaces it
  io.run();
  EXPECT_EQ(woken, 11);
}

}  // namespace
}  // namespace lambdad::schedule
