// Template::schedules: Schedule / ScheduleV2 events and the rule / schedule resources that
// target a function, with AWS's names and ARNs, and their problems with lines.
#include "lambdad/schedule/expression.hpp"
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class TemplateSchedulesTest : public TemplateFixture {
 protected:
  std::string with(const std::string& events, const std::string& resources = "",
                   const std::string& function_extra = "") {
    return R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
)" + function_extra +
           "      Events:\n" + events + resources;
  }
};

TEST_F(TemplateSchedulesTest, EventsBecomeDefinitions) {
  const Template t = load(with(R"(        Nightly:
          Type: Schedule
          Properties:
            Schedule: cron(0 3 * * ? *)
            Input: '{"job": "sweep"}'
            Description: nightly sweep
            RetryPolicy: {MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600}
            DeadLetterConfig: {Arn: arn:aws:sqs:us-east-1:123456789012:dlq}
        Named:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            Name: my-rule
            Enabled: false
            DeadLetterConfig: {Type: SQS}
        Morning:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 9 ? * MON-FRI *)
            ScheduleExpressionTimezone: Europe/Paris
            StartDate: "2027-01-01T00:00:00Z"
            EndDate: "2027-12-31T00:00:00+01:00"
            GroupName: jobs
            State: DISABLED
        Generated:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: at(2027-01-01T00:00:00)
            OmitName: true
)",
                               "", "      AutoPublishAlias: live\n"));
  ASSERT_EQ(t.schedules.size(), 4u);
  const ScheduleDefinition& nightly = t.schedules[0];
  EXPECT_THAT(nightly.name, StartsWith("local-WorkerNightly-"));
  EXPECT_EQ(nightly.arn, "arn:aws:events:us-east-1:123456789012:rule/" + nightly.name);
  EXPECT_FALSE(nightly.scheduler);
  EXPECT_EQ(nightly.function, "Worker");
  EXPECT_EQ(nightly.qualifier, "live");  // SAM points events at the AutoPublishAlias
  EXPECT_EQ(nightly.expression, "cron(0 3 * * ? *)");
  EXPECT_EQ(nightly.timezone, "UTC");
  EXPECT_EQ(nightly.input, R"({"job": "sweep"})");
  EXPECT_EQ(nightly.description, "nightly sweep");
  EXPECT_EQ(nightly.maximum_retry_attempts, 2);
  EXPECT_EQ(nightly.maximum_event_age_s, 600);
  EXPECT_EQ(nightly.dead_letter_arn, "arn:aws:sqs:us-east-1:123456789012:dlq");
  EXPECT_TRUE(nightly.enabled);
  EXPECT_EQ(nightly.source, "function 'Worker': event 'Nightly'");
  EXPECT_EQ(nightly.line, 11);

  EXPECT_EQ(t.schedules[1].name, "my-rule");
  EXPECT_FALSE(t.schedules[1].enabled);
  EXPECT_EQ(t.schedules[1].maximum_retry_attempts, 185);
  EXPECT_EQ(t.schedules[1].maximum_event_age_s, 86400);
  EXPECT_EQ(t.schedules[1].input, std::nullopt);
  EXPECT_THAT(t.schedules[1].dead_letter_arn,
              StartsWith("arn:aws:sqs:us-east-1:123456789012:local-WorkerNamedQueue-"));

  const ScheduleDefinition& morning = t.schedules[2];
  EXPECT_TRUE(morning.scheduler);
  EXPECT_EQ(morning.name, "WorkerMorning");  // SAM names it after its logical id
  EXPECT_EQ(morning.group, "jobs");
  EXPECT_EQ(morning.arn, "arn:aws:scheduler:us-east-1:123456789012:schedule/jobs/WorkerMorning");
  EXPECT_EQ(morning.timezone, "Europe/Paris");
  EXPECT_EQ(morning.start_date, schedule::parse_timestamp("2027-01-01T00:00:00Z"));
  EXPECT_EQ(morning.end_date, schedule::parse_timestamp("2027-12-30T23:00:00Z"));
  EXPECT_FALSE(morning.enabled);

  EXPECT_THAT(t.schedules[3].name, StartsWith("local-WorkerGenerated-"));
  EXPECT_THAT(t.schedules[3].arn, HasSubstr(":schedule/default/local-WorkerGenerated-"));
}

TEST_F(TemplateSchedulesTest, RuleAndSchedulerResourcesThatTargetAFunction) {
  const Template t = load(with("        {}\n", R"(  Rule:
    Type: AWS::Events::Rule
    Properties:
      Name: hourly
      ScheduleExpression: rate(1 hour)
      Targets:
        - Id: w
          Arn: !GetAtt Worker.Arn
          Input: '{"from": "rule"}'
        - Id: q
          Arn: arn:aws:sqs:us-east-1:123456789012:elsewhere
  Sched:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: cron(30 6 * * ? *)
      ScheduleExpressionTimezone: America/New_York
      FlexibleTimeWindow: {Mode: "OFF"}
      State: DISABLED
      Target:
        Arn: !Sub "${Worker.Arn}:live"
        RoleArn: arn:aws:iam::123456789012:role/r
        RetryPolicy: {MaximumRetryAttempts: 0}
  Pattern:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [aws.s3]}
      Targets: [{Id: w, Arn: !GetAtt Worker.Arn}]
)"));
  ASSERT_EQ(t.schedules.size(), 2u);
  EXPECT_EQ(t.schedules[0].name, "hourly");
  EXPECT_EQ(t.schedules[0].arn, "arn:aws:events:us-east-1:123456789012:rule/hourly");
  EXPECT_EQ(t.schedules[0].function, "Worker");
  EXPECT_EQ(t.schedules[0].input, R"({"from": "rule"})");
  EXPECT_EQ(t.schedules[0].source, "resource 'Rule'");
  EXPECT_TRUE(t.schedules[1].scheduler);
  EXPECT_THAT(t.schedules[1].name, StartsWith("local-Sched-"));
  EXPECT_EQ(t.schedules[1].qualifier, "live");
  EXPECT_EQ(t.schedules[1].timezone, "America/New_York");
  EXPECT_FALSE(t.schedules[1].enabled);
  EXPECT_EQ(t.schedules[1].maximum_retry_attempts, 0);
  bool pattern_warned = false, queue_warned = false;
  for (const auto& warning : t.warning_lines) {
    pattern_warned |= warning.message.starts_with("resource 'Pattern': lambdad does not create");
    queue_warned |= warning.message.find("elsewhere' is not a function") != std::string::npos;
  }
  EXPECT_TRUE(pattern_warned);
  EXPECT_TRUE(queue_warned);
}

TEST_F(TemplateSchedulesTest, ProblemsHaveLines) {
  EXPECT_THAT(
      errors(with(R"(        Zone:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 day)
            ScheduleExpressionTimezone: Mars/Olympus
        Dates:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 day)
            StartDate: "2027-01-02T00:00:00Z"
            EndDate: "2027-01-01T00:00:00Z"
        BadDate:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 day)
            StartDate: soon
        Retry:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
            RetryPolicy: {MaximumRetryAttempts: 186, MaximumEventAgeInSeconds: 59}
        AtInRule:
          Type: Schedule
          Properties:
            Schedule: at(2027-01-01T00:00:00)
        Both:
          Type: Schedule
          Properties:
            Schedule: cron(0 0 * * * *)
)",
                  R"(  BadRule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 minutes)
      Targets: [{Id: w, Arn: !GetAtt Worker.Arn}]
)")),
      ElementsAre(Problem(14,
                          "function 'Worker': event 'Zone': ScheduleExpressionTimezone: "
                          "unknown time zone 'Mars/Olympus' (an IANA tz database name such "
                          "as Europe/Paris or America/New_York)"),
                  Problem(20,
                          "function 'Worker': event 'Dates': EndDate (2027-01-01T00:00:00Z) "
                          "must be after StartDate (2027-01-02T00:00:00Z)"),
                  ProblemLike(25, "function 'Worker': event 'BadDate': StartDate: 'soon' is not"),
                  Problem(30,
                          "function 'Worker': event 'Retry': RetryPolicy.MaximumRetryAttempts "
                          "must be a whole number between 0 and 185"),
                  Problem(30,
                          "function 'Worker': event 'Retry': "
                          "RetryPolicy.MaximumEventAgeInSeconds must be a whole number "
                          "between 60 and 86400"),
                  Problem(34,
                          "function 'Worker': event 'AtInRule': Schedule "
                          "'at(2027-01-01T00:00:00)': must be rate(...) or cron(...)"),
                  Problem(38,
                          "function 'Worker': event 'Both': Schedule 'cron(0 0 * * * *)': "
                          "cron(): exactly one of day-of-month and day-of-week must be '?'"),
                  Problem(42,
                          "resource 'BadRule': ScheduleExpression 'rate(1 minutes)': "
                          "rate(1 ...) takes a singular unit (minute, hour, day)")));
}

TEST_F(TemplateSchedulesTest, NamesMustBeUnique) {
  EXPECT_THAT(errors(with(R"(        A:
          Type: Schedule
          Properties: {Schedule: rate(1 day), Name: same}
        B:
          Type: Schedule
          Properties: {Schedule: rate(2 days), Name: same}
)")),
              ElementsAre(Problem(13,
                                  "function 'Worker': event 'B': the name 'same' is already "
                                  "used by another rule")));
}

TEST_F(TemplateSchedulesTest, NoSchedulesNoDefinitions) {
  EXPECT_THAT(load(with("        {}\n")).schedules, IsEmpty());
}

}  // namespace
}  // namespace lambdad::deploy::testing
