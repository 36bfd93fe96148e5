// The payload of a fire, and `lambdad schedules`' table.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lambdad/schedule/event.hpp"
#include "lambdad/schedule/table.hpp"

namespace lambdad::schedule {
namespace {

TimePoint at(const std::string& text) {
  return parse_timestamp(text);
}

ScheduleDefinition rule() {
  return ScheduleDefinition{
      .name = "app-WorkerNightly-ABC",
      .arn = "arn:aws:events:eu-west-1:111122223333:rule/app-WorkerNightly-ABC",
      .function = "Worker",
      .expression = "cron(0 3 * * ? *)"};
}

TEST(ScheduledEventTest, RuleSendsEventBridgesScheduledEvent) {
  const auto event =
      nlohmann::ordered_json::parse(scheduled_event(rule(), at("2026-12-08T03:00:00Z"), "uuid-1"));
  EXPECT_EQ(event.dump(), nlohmann::ordered_json::parse(R"({
      "version": "0", "id": "uuid-1", "detail-type": "Scheduled Event", "source": "aws.events",
      "account": "111122223333", "time": "2026-12-08T03:00:00Z", "region": "eu-west-1",
      "resources": ["arn:aws:events:eu-west-1:111122223333:rule/app-WorkerNightly-ABC"],
      "detail": {}})")
                              .dump());
}

TEST(ScheduledEventTest, InputIsSentVerbatim) {
  ScheduleDefinition with_input = rule();
  with_input.input = R"({"job":  "sweep"})";
  EXPECT_EQ(scheduled_event(with_input, at("2026-12-08T03:00:00Z"), "id"), R"({"job":  "sweep"})");
}

TEST(ScheduledEventTest, SchedulerSendsInputWithContextAttributes) {
  ScheduleDefinition v2 = rule();
  v2.scheduler = true;
  v2.arn = "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/Nightly";
  EXPECT_EQ(scheduled_event(v2, at("2026-12-08T03:00:00Z"), "id"), "{}");
  v2.input = R"({"arn": "<aws.scheduler.schedule-arn>", "at": "<aws.scheduler.scheduled-time>", )"
             R"("run": "<aws.scheduler.execution-id>", "try": <aws.scheduler.attempt-number>})";
  EXPECT_EQ(scheduled_event(v2, at("2026-12-08T03:00:00Z"), "exec-1", 2),
            R"({"arn": "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/Nightly", )"
            R"("at": "2026-12-08T03:00:00Z", "run": "exec-1", "try": 2})");
}

TEST(ScheduleTableTest, ListsNextFires) {
  ScheduleDefinition paris = rule();
  paris.name = "Morning";
  paris.scheduler = true;
  paris.qualifier = "live";
  paris.expression = "cron(0 9 * * ? *)";
  paris.timezone = "Europe/Paris";
  ScheduleDefinition off = rule();
  off.name = "Off";
  off.enabled = false;
  ScheduleDefinition bad = rule();
  bad.name = "Bad";
  bad.timezone = "Mars/Olympus";
  const auto planned = plan_schedules({rule(), paris, off, bad}, at("2026-12-07T17:14:00Z"));
  EXPECT_EQ(planned[0].next_fire, at("2026-12-08T03:00:00Z"));
  EXPECT_EQ(format_schedule_table(planned),
            "NAME                   TARGET       EXPRESSION         TIMEZONE      NEXT FIRE\n"
            "app-WorkerNightly-ABC  Worker       cron(0 3 * * ? *)  UTC           "
            "2026-12-08T03:00:00Z\n"
            "Morning                Worker:live  cron(0 9 * * ? *)  Europe/Paris  "
            "2026-12-08T08:00:00Z (2026-12-08T09:00:00 local)\n"
            "Off                    Worker       cron(0 3 * * ? *)  UTC           disabled\n"
            "Bad                    Worker       cron(0 3 * * ? *)  Mars/Olympus  not run: unknown "
            "time zone 'Mars/Olympus' (an IANA tz database name such as Europe/Paris or "
            "America/New_York)\n");
  EXPECT_EQ(format_schedule_table({}), "No schedules.\n");
}

TEST(ScheduleTableTest, UsesTheLastFires) {
  ScheduleDefinition rate = rule();
  rate.expression = "rate(1 hour)";
  const auto planned = plan_schedules({rate}, at("2026-12-07T17:14:00Z"), [](const std::string&) {
    return std::optional(at("2026-12-07T17:00:00Z"));
  });
  EXPECT_EQ(planned[0].next_fire, at("2026-12-07T18:00:00Z"));
}

}  // namespace
}  // namespace lambdad::schedule
