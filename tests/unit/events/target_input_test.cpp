// EventBridge target inputs: every example of AWS's "Transforming Amazon EventBridge target
// input" page (template → output), InputPath, constant Input, and what PutTargets refuses.

#include "lambdad/events/target_input.hpp"

#include <gtest/gtest.h>

#include "unit/error_of.hpp"

namespace lambdad::events {
namespace {

using json = nlohmann::json;
using lambdad::testing::error_of;

const json kEvent = json::parse(R"({
  "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}})");

const TargetContext kContext{"arn:aws:events:us-east-2:123456789012:rule/example", "example",
                             "2015-11-11T21:29:55Z"};

const json kPaths = json::parse(
    R"({"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"})");

std::string transform(std::string_view input_template, const json& paths = kPaths,
                      const json& event = kEvent) {
  return TargetInput::transformer("t1", paths, input_template).render(event, kContext);
}

struct Example {
  const char* name;
  const char* input_template;
  const char* output;
};

class TemplateTable : public ::testing::TestWithParam<Example> {};

TEST_P(TemplateTable, RendersAsAwsDoes) {
  EXPECT_EQ(transform(GetParam().input_template), GetParam().output) << GetParam().input_template;
}

const Example kExamples[] = {
    {"simple_string", R"("instance <instance> is in <state>")",
     R"("instance i-0123456789 is in RUNNING")"},
    {"string_with_escaped_quotes", R"("instance \"<instance>\" is in <state>")",
     R"("instance \"i-0123456789\" is in RUNNING")"},
    {"simple_json", R"({"instance" : <instance>, "state": <state>})",
     R"({"instance":"i-0123456789","state":"RUNNING"})"},
    {"json_strings_and_variables",
     R"({"instance" : <instance>, "state": "<state>",
         "instanceStatus": "instance \"<instance>\" is in <state>"})",
     R"({"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \"i-0123456789\" is in RUNNING"})"},
    {"json_mixed_static",
     R"({"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"})",
     R"({"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"})"},
    {"reserved_in_json",
     R"({"instance" : <instance>, "ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>,
         "time": <aws.events.event.ingestion-time>})",
     R"({"instance":"i-0123456789","ruleArn":"arn:aws:events:us-east-2:123456789012:rule/example","ruleName":"example","time":"2015-11-11T21:29:55Z"})"},
    {"reserved_in_string", R"("<aws.events.rule-name> triggered")", R"("example triggered")"},
    {"plain_text", "instance <instance> is in <state>", "instance i-0123456789 is in RUNNING"},
    {"plain_text_reserved", "<aws.events.rule-name> at <timestamp>",
     "example at 2015-11-11T21:29:54Z"},
    {"array_template", "[<instance>, <state>]", R"(["i-0123456789","RUNNING"])"},
    {"literal_angle_brackets", R"({"expr": "a < b and c > d", "v": <state>})",
     R"({"expr":"a < b and c > d","v":"RUNNING"})"},
};

INSTANTIATE_TEST_SUITE_P(Docs, TemplateTable, ::testing::ValuesIn(kExamples),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TargetInput, WholeEventValues) {
  const json paths =
      json::parse(R"({"detail": "$.detail", "resources": "$.resources", "n": "$.n"})");
  const json event = json::parse(R"({"detail": {"a": 1}, "resources": ["r1"], "n": 5})");
  EXPECT_EQ(transform(R"({"d": <detail>, "r": <resources>, "n": <n>})", paths, event),
            R"({"d":{"a":1},"r":["r1"],"n":5})");
  // Inside a string, values go in raw: numbers as written, objects as their JSON text.
  EXPECT_EQ(transform(R"({"s": "n=<n>"})", paths, event), R"({"s":"n=5"})");
  EXPECT_EQ(transform(R"({"e": <aws.events.event>})", paths, event),
            R"({"e":{"n":5,"resources":["r1"]}})");
}

TEST(TargetInput, PredefinedEventForms) {
  // AWS: <aws.events.event> is the event without `detail`, <aws.events.event.json> the whole
  // event, both as JSON and unescaped (so only usable as a JSON value).
  const json event = json::parse(R"({"source": "x", "detail": {"a": 1}})");
  EXPECT_EQ(transform(R"({"e": <aws.events.event>, "j": <aws.events.event.json>})", kPaths, event),
            R"({"e":{"source":"x"},"j":{"detail":{"a":1},"source":"x"}})");
  EXPECT_EQ(transform("event: <aws.events.event.json>", kPaths, event),
            R"(event: {"detail":{"a":1},"source":"x"})");
  EXPECT_EQ(transform(R"({"s": "<aws.events.event>"})", kPaths, event),
            R"({"s": "{"source":"x"}"})");
}

TEST(TargetInput, MissingPaths) {
  const json paths = json::parse(R"({"gone": "$.detail.nothing"})");
  EXPECT_EQ(transform(R"({"v": <gone>, "s": "[<gone>]"})", paths), R"({"v":null,"s":"[]"})");
}

TEST(TargetInput, RawStringsAreNotEscaped) {
  // As on AWS: a value with a quote inside a template string breaks the JSON, which is then
  // delivered as it is.
  const json paths = json::parse(R"({"q": "$.q"})");
  const json event = json::parse(R"({"q": "say \"hi\""})");
  EXPECT_EQ(transform(R"({"s": "<q>"})", paths, event), R"({"s": "say "hi""})");
  EXPECT_EQ(transform(R"({"s": <q>})", paths, event), R"({"s":"say \"hi\""})");
}

TEST(TargetInput, InvalidUtf8IsReplacedNotThrown) {
  const json event = {{"s", std::string("a\xff")}};
  EXPECT_EQ(TargetInput().render(event, kContext), "{\"s\":\"a\xef\xbf\xbd\"}");
  EXPECT_EQ(TargetInput::path("t", "$.s").render(event, kContext), "\"a\xef\xbf\xbd\"");
}

TEST(TargetInput, InputPath) {
  EXPECT_EQ(TargetInput::path("t", "$.detail").render(kEvent, kContext),
            R"({"instance-id":"i-0123456789","state":"RUNNING"})");
  EXPECT_EQ(TargetInput::path("t", "$.detail.state").render(kEvent, kContext), R"("RUNNING")");
  EXPECT_EQ(TargetInput::path("t", "$.resources[0]").render(kEvent, kContext),
            R"("arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111")");
  EXPECT_EQ(TargetInput::path("t", "$['detail']['state']").render(kEvent, kContext),
            R"("RUNNING")");
  EXPECT_EQ(TargetInput::path("t", "$").render(kEvent, kContext), kEvent.dump());
  EXPECT_EQ(TargetInput::path("t", "$.detail.missing").render(kEvent, kContext), "");
  EXPECT_EQ(TargetInput::path("t", "$.resources[5]").render(kEvent, kContext), "");
  EXPECT_EQ(TargetInput::path("t", "$.detail-type").kind(), TargetInput::Kind::kPath);
}

TEST(TargetInput, ConstantAndDefault) {
  EXPECT_EQ(TargetInput::constant("t", R"({"fixed": true})").render(kEvent, kContext),
            R"({"fixed": true})");
  EXPECT_EQ(TargetInput().render(kEvent, kContext), kEvent.dump());
  EXPECT_EQ(TargetInput().kind(), TargetInput::Kind::kEvent);
}

TEST(TargetInput, FromTarget) {
  EXPECT_EQ(TargetInput::from_target(json::parse(R"({"Id": "t", "Arn": "x"})")).kind(),
            TargetInput::Kind::kEvent);
  EXPECT_EQ(TargetInput::from_target(json::parse(R"({"Id": "t", "Input": "{\"a\": 1}"})"))
                .render(kEvent, kContext),
            R"({"a": 1})");
  EXPECT_EQ(TargetInput::from_target(json::parse(R"({"Id": "t", "InputPath": "$.source"})"))
                .render(kEvent, kContext),
            R"("aws.ec2")");
  EXPECT_EQ(TargetInput::from_target(json::parse(R"({"Id": "t", "InputTransformer": {
                "InputPathsMap": {"s": "$.source"}, "InputTemplate": "\"from <s>\""}})"))
                .render(kEvent, kContext),
            R"("from aws.ec2")");
  // A template without InputPathsMap may still use the predefined names.
  EXPECT_EQ(TargetInput::from_target(json::parse(R"({"Id": "t", "InputTransformer": {
                "InputTemplate": "{\"rule\": <aws.events.rule-name>}"}})"))
                .render(kEvent, kContext),
            R"({"rule":"example"})");
}

AwsError target_error(const char* target) {
  return error_of([&] { TargetInput::from_target(json::parse(target)); });
}

TEST(TargetInput, Errors) {
  const AwsError input = target_error(R"({"Id": "t1", "Input": "{not json"})");
  EXPECT_EQ(input.status, 400);
  EXPECT_EQ(input.type, "ValidationException");
  EXPECT_EQ(input.message, "Input for target t1 is not a valid JSON text.");
  EXPECT_EQ(target_error(R"({"Id": "t1", "Input": "{}", "InputPath": "$"})").message,
            "Only one of Input, InputPath, or InputTransformer must be provided for target t1.");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputPath": "detail"})").message,
            "InputPath for target t1 is not a valid JSON path: detail");
  for (const char* bad : {"$.", "$..a", "$.a[", "$.a[x]", "$.*", "$[-1]", "$.a b"}) {
    EXPECT_EQ(error_of([&] { TargetInput::path("t1", bad); }).type, "ValidationException") << bad;
  }
  EXPECT_EQ(
      target_error(R"({"Id": "t1", "InputTransformer": {"InputTemplate": "\"<nope>\""}})").message,
      "InputTemplate for target t1 contains invalid placeholder nope.");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputTransformer": {"InputPathsMap": {"k": "$.a"},
                             "InputTemplate": "{<k>: 1}"}})")
                .message,
            "InputTemplate for target t1 is not a valid JSON text.");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputTransformer": {"InputPathsMap": {"k": "$.a"},
                             "InputTemplate": "{\"a\": <k>"}})")
                .message,
            "InputTemplate for target t1 is not a valid JSON text.");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputTransformer": {"InputPathsMap": {"k": "a"},
                             "InputTemplate": "<k>"}})")
                .message,
            "InputPathsMap entry k for target t1 is not a valid JSON path: a");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputTransformer": {"InputPathsMap": {"a b": "$.a"},
                             "InputTemplate": "x"}})")
                .type,
            "ValidationException");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputTransformer": {
                             "InputPathsMap": {"aws.events.event": "$.a"}, "InputTemplate": "x"}})")
                .message,
            "InputPathsMap for target t1 redefines the reserved name aws.events.event.");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputTransformer": {"InputPathsMap": {}}})").message,
            "InputTransformer for target t1 needs an InputTemplate string.");
  EXPECT_EQ(target_error(R"({"Id": "t1", "InputTransformer": {"InputTemplate": ""}})").type,
            "ValidationException");
  json many = json::object();
  for (int i = 0; i <= 100; ++i) many["v" + std::to_string(i)] = "$.a";
  EXPECT_EQ(error_of([&] { TargetInput::transformer("t1", many, "x"); }).message,
            "InputPathsMap for target t1 has more than 100 entries.");
  many.erase("v100");
  EXPECT_NO_THROW(TargetInput::transformer("t1", many, "x"));
  EXPECT_EQ(error_of([] { TargetInput::transformer("t1", json(), std::string(8193, 'x')); }).type,
            "ValidationException");
}

}  // namespace
}  // namespace lambdad::events
