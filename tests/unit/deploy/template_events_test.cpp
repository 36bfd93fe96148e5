// Function events: Api, HttpApi, Schedule, ScheduleV2 kept with resolved properties; others warn.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class TemplateEventsTest : public TemplateFixture {
 protected:
  /// A template with one function whose Events block is `events` (indented by 8).
  std::string with_events(const std::string& events, const std::string& resources = "") {
    return R"(
Parameters:
  Prefix: {Type: String, Default: v1}
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Events:
)" + events +
           resources + "Transform: AWS::Serverless-2016-10-31\n";
  }
};

TEST_F(TemplateEventsTest, ApiEventsKeepResolvedPropertiesAndLinkTheirApi) {
  const Template t = load(with_events(R"(        Get:
          Type: Api
          Properties:
            Path: !Sub /${Prefix}/items/{id}
            Method: GET
            RequestParameters: [method.request.path.id]
        Post:
          Type: Api
          Properties:
            Path: /items
            Method: post
            RestApiId: !Ref MyApi
            Auth: {Authorizer: AWS_IAM}
)",
                                      R"(  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
)"));
  const auto& events = function(t, "F").events;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name, "Get");
  EXPECT_EQ(events[0].type, "Api");
  EXPECT_EQ(events[0].line, 11);
  EXPECT_EQ(events[0].properties,
            nlohmann::json::parse(R"({"Path": "/v1/items/{id}", "Method": "GET",
                                      "RequestParameters": ["method.request.path.id"],
                                      "RestApiId": "ServerlessRestApi"})"));
  EXPECT_EQ(events[1].properties["RestApiId"], "MyApi");
  EXPECT_EQ(events[1].properties["Auth"], nlohmann::json({{"Authorizer", "AWS_IAM"}}));
  ASSERT_EQ(t.apis.size(), 2u);
  EXPECT_EQ(t.apis[0].logical_id, "MyApi");
  EXPECT_EQ(t.apis[0].stage_name, "live");
  EXPECT_EQ(t.apis[1].logical_id, "ServerlessRestApi");
  EXPECT_TRUE(t.apis[1].implicit);
  EXPECT_EQ(t.apis[1].stage_name, "Prod");
  EXPECT_EQ(t.apis[1].line, 0);
}

TEST_F(TemplateEventsTest, HttpApiDefaultsAsSam) {
  const Template t = load(with_events(R"(        Catch:
          Type: HttpApi
        Route:
          Type: HttpApi
          Properties:
            Path: /users
            Method: any
            ApiId: !Ref Http
            PayloadFormatVersion: "1.0"
            TimeoutInMillis: 5000
)",
                                      R"(  Http:
    Type: AWS::Serverless::HttpApi
)"));
  const auto& events = function(t, "F").events;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].properties, nlohmann::json::parse(R"({"Path": "$default", "Method": "ANY",
                                      "PayloadFormatVersion": "2.0",
                                      "ApiId": "ServerlessHttpApi"})"));
  EXPECT_EQ(events[1].properties["ApiId"], "Http");
  EXPECT_EQ(events[1].properties["PayloadFormatVersion"], "1.0");
  EXPECT_EQ(events[1].properties["TimeoutInMillis"], 5000);
}

TEST_F(TemplateEventsTest, SchedulesAreCheckedAndKept) {
  const Template t = load(with_events(R"(        Every5:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            Input: '{"job": "sweep"}'
            Enabled: false
        Hourly:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
        Weekdays:
          Type: Schedule
          Properties:
            Schedule: cron(0/15 9-17 ? * MON-FRI *)
        LastDay:
          Type: Schedule
          Properties:
            Schedule: cron(0 0 L * ? 2025-2030)
        V2:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(30 6 ? * 2#1 *)
            ScheduleExpressionTimezone: Europe/Paris
            State: DISABLED
        Once:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: at(2030-01-01T00:00:00)
            FlexibleTimeWindow: {Mode: "OFF"}
)"));
  const auto& events = function(t, "F").events;
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].type, "Schedule");
  EXPECT_EQ(events[0].properties, nlohmann::json::parse(R"json(
      {"Schedule": "rate(5 minutes)", "Input": "{\"job\": \"sweep\"}", "Enabled": false})json"));
  EXPECT_EQ(events[4].type, "ScheduleV2");
  EXPECT_EQ(events[4].properties["State"], "DISABLED");
  EXPECT_EQ(events[5].properties["ScheduleExpression"], "at(2030-01-01T00:00:00)");
  EXPECT_THAT(t.warnings, IsEmpty());
}

TEST_F(TemplateEventsTest, OtherEventTypesWarn) {
  const Template t = load(with_events(R"(        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Bucket
            Events: s3:ObjectCreated:*
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
)",
                                      R"(  Bucket:
    Type: AWS::S3::Bucket
  Q:
    Type: AWS::SQS::Queue
)"));
  EXPECT_THAT(function(t, "F").events, IsEmpty());
  EXPECT_THAT(
      t.warning_lines,
      UnorderedElementsAre(WarningLike(12,
                                       "event 'Upload' of type S3 on function 'F' is not run by "
                                       "lambdad"),
                           WarningLike(17,
                                       "event 'Queue' of type SQS on function 'F' is not run by "
                                       "lambdad"),
                           WarningLike(0, "AWS::S3::Bucket, AWS::SQS::Queue")));
}

// SAM writes the path into the API's document as given; API Gateway's import skips one without
// '/' (a warning), so the stack deploys without that route.
TEST_F(TemplateEventsTest, PathWithoutSlashHasNoRoute) {
  const Template t = load(with_events(R"(        Star:
          Type: Api
          Properties: {Path: '*', Method: get}
        Good:
          Type: Api
          Properties: {Path: /good, Method: get}
)"));
  ASSERT_EQ(function(t, "F").events.size(), 1u);
  EXPECT_EQ(function(t, "F").events[0].name, "Good");
  EXPECT_THAT(t.warning_lines,
              ElementsAre(Warning(13,
                                  "function 'F': event 'Star': Path '*' does not start with /: API "
                                  "Gateway skips it when it imports the API, so this event has no "
                                  "route")));
}

TEST_F(TemplateEventsTest, EventProblemsWithTheirLines) {
  EXPECT_THAT(
      errors(with_events(R"(        NoPath:
          Type: Api
          Properties:
            Method: get
        BadPath:
          Type: Api
          Properties:
            Path: items
            Method: FETCH
            Paht: /x
        Half:
          Type: HttpApi
          Properties:
            Path: /half
        WrongApi:
          Type: HttpApi
          Properties:
            Path: /w
            Method: get
            ApiId: !Ref Rest
            PayloadFormatVersion: "3.0"
        Rate:
          Type: Schedule
          Properties:
            Schedule: rate(1 minutes)
            Input: not json
        Cron:
          Type: Schedule
          Properties:
            Schedule: cron(0 25 * * ? *)
        V2:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: every day
            State: OFF
        Kafka:
          Type: Kafkaa
        NoType:
          Properties: {}
)",
                         R"(  Rest:
    Type: AWS::Serverless::Api
)")),
      ElementsAre(Problem(13, "function 'F': event 'NoPath': Path is required"),
                  ProblemLike(19, "function 'F': event 'BadPath': Method 'FETCH' must be one of"),
                  Problem(20,
                          "function 'F': event 'BadPath': unknown Api property 'Paht' "
                          "(known: Auth, Method, Path, RequestModel, RequestParameters, "
                          "ResponseTransferMode, RestApiId, Stage, TimeoutInMillis)"),
                  Problem(23,
                          "function 'F': event 'Half': HttpApi needs both Path and Method, "
                          "or neither (for the $default route); Method is missing"),
                  Problem(30,
                          "function 'F': event 'WrongApi': ApiId must be a Ref to an "
                          "AWS::Serverless::HttpApi of this template"),
                  Problem(31,
                          "function 'F': event 'WrongApi': PayloadFormatVersion must be "
                          "\"1.0\" or \"2.0\""),
                  Problem(35,
                          "function 'F': event 'Rate': Schedule 'rate(1 minutes)': "
                          "rate(1 ...) takes a singular unit (minute, hour, day)"),
                  Problem(36,
                          "function 'F': event 'Rate': Input must be a JSON document "
                          "(as a string)"),
                  Problem(40,
                          "function 'F': event 'Cron': Schedule 'cron(0 25 * * ? *)': "
                          "cron(): bad hours field '25'"),
                  Problem(44,
                          "function 'F': event 'V2': ScheduleExpression 'every day': "
                          "must be rate(...), cron(...) or at(...)"),
                  Problem(45, "function 'F': event 'V2': State must be ENABLED or DISABLED"),
                  Problem(47,
                          "function 'F': event 'Kafka': unknown event type 'Kafkaa' "
                          "(SAM rejects it; lambdad runs Api, HttpApi, Schedule and "
                          "ScheduleV2)"),
                  Problem(48, "function 'F': event 'NoType': Type is required")));
}

TEST_F(TemplateEventsTest, CronAndRateSyntax) {
  const auto schedule_error = [&](const std::string& expression) {
    try {
      load(
          with_events("        S:\n          Type: Schedule\n          Properties:\n"
                      "            Schedule: \"" +
                      expression + "\"\n"));
      return std::string();
    } catch (const TemplateError& e) {
      return e.problems().at(0).message;
    }
  };
  for (const char* good :
       {"rate(1 minute)", "rate(10 days)", "cron(0 12 * * ? *)", "cron(15 10 ? * 6L 2022-2023)",
        "cron(0 8 1W * ? *)", "cron(0,30 * ? JAN-MAR,DEC SUN *)", "cron(*/5 * * * ? *)"}) {
    EXPECT_EQ(schedule_error(good), "") << good;
  }
  for (const char* bad :
       {"rate(0 minutes)", "rate(2 minute)", "rate(5 seconds)", "rate(five minutes)",
        "cron(0 12 * * *)", "cron(60 * * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 ? 13 * *)",
        "cron(0 0 ? * 8 *)", "cron(0 0 ? * * 1969)", "cron(0 0 * * ? * *)", "cron(0 0 ? * ? *)",
        "at(2030-01-01T00:00:00)", "daily"}) {
    EXPECT_NE(schedule_error(bad), "") << bad;
  }
}

TEST_F(TemplateEventsTest, DuplicateRoutesAreErrors) {
  EXPECT_THAT(
      errors(R"(
Globals:
  Function: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get}
  B:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        AlsoGet:
          Type: Api
          Properties: {Path: /items, Method: GET}
        Post:
          Type: Api
          Properties: {Path: /items, Method: post}
)"),
      ElementsAre(Problem(15,
                          "function 'B': event 'AlsoGet': GET /items on api "
                          "'ServerlessRestApi' is already routed to function 'A' (line 8)")));
}

}  // namespace
}  // namespace lambdad::deploy::testing
