// SNS subscription filter policies and Lambda FilterCriteria: the same grammar as EventBridge's
// (event_pattern_test.cpp), read against each service's input, with each service's limits and
// error. Examples from AWS's "Amazon SNS example filter policies" and "Using event filtering
// with an Amazon SQS event source" pages.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lambdad/events/event_pattern.hpp"
#include "unit/error_of.hpp"

namespace lambdad::events {
namespace {

using json = nlohmann::json;
using lambdad::testing::error_of;

// The transaction message of SNS's examples, as attributes (notification shape) and as a body.
const json kAttributes = json::parse(R"({
  "customer_interests": {"Type": "String.Array", "Value": "[\"soccer\", \"rugby\", \"hockey\"]"},
  "store": {"Type": "String", "Value": "example_corp"},
  "event": {"Type": "String", "Value": "order_placed"},
  "price_usd": {"Type": "Number", "Value": "210.75"}})");
constexpr const char* kBody = R"({"customer_interests": ["soccer", "rugby", "hockey"],
  "store": "example_corp", "event": "order_placed", "price_usd": 210.75})";

bool attributes_match(const char* policy, const json& attributes = kAttributes) {
  return compile_sns_filter_policy(policy, FilterPolicyScope::kMessageAttributes)
      .matches(attributes);
}

bool body_matches(const char* policy, const char* body = kBody) {
  return compile_sns_filter_policy(policy, FilterPolicyScope::kMessageBody)
      .matches_sns_message(body, json::object());
}

TEST(SnsFilterPolicy, DocsExampleOnAttributes) {
  const char* policy =
      R"({"store": ["example_corp"], "event": [{"anything-but": "order_cancelled"}],
    "customer_interests": ["rugby", "football", "baseball"],
    "price_usd": [{"numeric": [">=", 100]}]})";
  EXPECT_TRUE(attributes_match(policy));
  json other = kAttributes;
  other["price_usd"]["Value"] = "99.5";
  EXPECT_FALSE(attributes_match(policy, other));
  other = kAttributes;
  other["customer_interests"]["Value"] = R"(["baseball"])";
  EXPECT_TRUE(attributes_match(policy, other));
  other["customer_interests"]["Value"] = R"(["cricket"])";
  EXPECT_FALSE(attributes_match(policy, other));
}

TEST(SnsFilterPolicy, DocsExampleOnTheBody) {
  const char* policy =
      R"({"store": ["example_corp"], "event": [{"anything-but": "order_cancelled"}],
    "customer_interests": ["rugby", "football", "baseball"],
    "price_usd": [{"numeric": [">=", 100]}]})";
  EXPECT_TRUE(body_matches(policy));
  EXPECT_FALSE(body_matches(policy, R"({"store": "example_corp", "event": "order_cancelled",
    "customer_interests": ["rugby"], "price_usd": 210.75})"));
  // The body scope reads the message, not the attributes, and a body that is no JSON object
  // matches nothing.
  EXPECT_FALSE(body_matches(R"({"store": [{"exists": false}]})", "not json"));
  EXPECT_FALSE(body_matches(R"({"store": [{"exists": false}]})", "[1, 2]"));
  EXPECT_TRUE(
      compile_sns_filter_policy(R"({"store": ["example_corp"]})", FilterPolicyScope::kMessageBody)
          .matches(json::parse(kBody)));
}

TEST(SnsFilterPolicy, NestedPoliciesOnTheBody) {
  const char* policy = R"({"order": {"payment": {"method": ["card"]}}})";
  EXPECT_TRUE(body_matches(policy, R"({"order": {"payment": {"method": "card"}}})"));
  EXPECT_FALSE(body_matches(policy, R"({"order": {"payment": {"method": "cash"}}})"));
}

TEST(SnsFilterPolicy, AttributeTypes) {
  // Number attributes compare as numbers, String ones as strings.
  EXPECT_TRUE(attributes_match(R"({"price_usd": [210.75]})"));
  EXPECT_FALSE(attributes_match(R"({"price_usd": ["210.75"]})"));
  EXPECT_FALSE(attributes_match(R"({"store": [{"numeric": [">", 0]}]})"));
  // String.Array: any element; numbers inside it are numbers.
  EXPECT_TRUE(
      attributes_match(R"({"ids": [{"numeric": [">", 5]}]})",
                       json::parse(R"({"ids": {"Type": "String.Array", "Value": "[1, 7]"}})")));
  // Publish's shape (DataType / StringValue) reads the same.
  EXPECT_TRUE(attributes_match(
      R"({"store": ["example_corp"], "n": [5]})",
      json::parse(R"({"store": {"DataType": "String", "StringValue": "example_corp"},
                      "n": {"DataType": "Number.float", "StringValue": "5.0"}})")));
  // Binary attributes are never compared: to a policy they are absent.
  const json binary = json::parse(R"({"blob": {"Type": "Binary", "Value": "AAEC"}})");
  EXPECT_TRUE(attributes_match(R"({"blob": [{"exists": false}]})", binary));
  EXPECT_FALSE(attributes_match(R"({"blob": [{"exists": true}]})", binary));
  // A String.Array whose value is not an array is read as a plain string.
  EXPECT_TRUE(attributes_match(
      R"({"a": ["[oops"]})", json::parse(R"({"a": {"Type": "String.Array", "Value": "[oops"}})")));
}

TEST(SnsFilterPolicy, MessageAttributesConvenience) {
  const EventPattern policy = compile_sns_filter_policy(R"({"store": ["example_corp"]})",
                                                        FilterPolicyScope::kMessageAttributes);
  EXPECT_EQ(policy.subject(), PatternSubject::kSnsMessageAttributes);
  EXPECT_TRUE(policy.matches_sns_message("anything", kAttributes));
  EXPECT_FALSE(policy.matches_sns_message(kBody, json::object()));
}

TEST(SnsFilterPolicy, OperatorsSnsHas) {
  EXPECT_TRUE(attributes_match(R"({"store": [{"prefix": "example"}]})"));
  EXPECT_TRUE(attributes_match(R"({"store": [{"suffix": "_corp"}]})"));
  EXPECT_TRUE(attributes_match(R"({"store": [{"equals-ignore-case": "EXAMPLE_CORP"}]})"));
  EXPECT_TRUE(attributes_match(R"({"store": [{"anything-but": {"prefix": "other"}}]})"));
  EXPECT_TRUE(attributes_match(R"({"event": [{"exists": true}], "coupon": [{"exists": false}]})"));
  EXPECT_TRUE(attributes_match(R"({"$or": [{"store": ["nobody"]}, {"event": ["order_placed"]}]})"));
  EXPECT_TRUE(attributes_match(R"({"ip": [{"cidr": "10.0.0.0/8"}]})",
                               json::parse(R"({"ip": {"Type": "String", "Value": "10.1.2.3"}})")));
  // SNS compares with five decimals and ±1e9.
  EXPECT_TRUE(attributes_match(R"({"price_usd": [{"numeric": ["=", 210.750001]}]})"));
  EXPECT_FALSE(attributes_match(R"({"n": [{"numeric": [">", 0]}]})",
                                json::parse(R"({"n": {"Type": "Number", "Value": "2e9"}})")));
}

AwsError sns_error(const char* policy, FilterPolicyScope scope = FilterPolicyScope::kMessageBody) {
  return error_of([&] { compile_sns_filter_policy(policy, scope); });
}

TEST(SnsFilterPolicy, Errors) {
  const AwsError wildcard = sns_error(R"({"a": [{"wildcard": "x*"}]})");
  EXPECT_EQ(wildcard.status, 400);
  EXPECT_EQ(wildcard.type, "InvalidParameter");
  EXPECT_EQ(wildcard.message, "Invalid parameter: FilterPolicy: Unrecognized match type wildcard");
  EXPECT_EQ(sns_error(R"({"a": [{"anything-but": {"suffix": "x"}}]})").message,
            "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: suffix");
  EXPECT_EQ(sns_error(R"({"a": [{"prefix": {"equals-ignore-case": "x"}}]})").message,
            "Invalid parameter: FilterPolicy: prefix match pattern must be a string");
  EXPECT_EQ(sns_error(R"({"a": []})").message,
            "Invalid parameter: FilterPolicy: Empty arrays are not allowed");
  EXPECT_EQ(sns_error(R"({"a": "x"})").message,
            R"(Invalid parameter: FilterPolicy: "a" must be an object or an array)");
  EXPECT_EQ(sns_error(R"({"a": [{"numeric": [">", 5, "<", 1]}]})").message,
            "Invalid parameter: FilterPolicy: Bottom must be less than top");
  EXPECT_EQ(sns_error(R"({"a": [{"cidr": "10.0.0.0"}]})").message,
            "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required");
  EXPECT_EQ(sns_error("[1]").message, "Invalid parameter: FilterPolicy: Filter is not an object");
  // SNS does not bound operands (AWS documents ±1e9 yet accepts more).
  EXPECT_NO_THROW(compile_sns_filter_policy(R"({"a": [{"numeric": [">", 2e9]}]})",
                                            FilterPolicyScope::kMessageBody));
}

TEST(SnsFilterPolicy, NoNestingWithTheAttributesScope) {
  EXPECT_EQ(sns_error(R"({"a": {"b": ["x"]}})", FilterPolicyScope::kMessageAttributes).message,
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested "
            "filter policy");
}

TEST(SnsFilterPolicy, FiveKeys) {
  EXPECT_NO_THROW(compile_sns_filter_policy(R"({"a": [1], "b": [1], "c": [1], "d": [1], "e": [1]})",
                                            FilterPolicyScope::kMessageAttributes));
  EXPECT_EQ(sns_error(R"({"a": [1], "b": [1], "c": [1], "d": [1], "e": [1], "f": [1]})").message,
            "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys");
  // Payload policies: only top-level keys count.
  EXPECT_NO_THROW(compile_sns_filter_policy(
      R"({"a": {"a1": [1], "a2": [1], "a3": [1]}, "b": {"b1": [1], "b2": [1], "b3": [1]}})",
      FilterPolicyScope::kMessageBody));
}

TEST(SnsFilterPolicy, OneHundredFiftyCombinations) {
  // AWS's worked example: 3 x 4 x 2 x 3 = 72.
  EXPECT_NO_THROW(compile_sns_filter_policy(
      R"({"key_a": {"key_b": {"key_c": ["v1", "v2", "v3", "v4"]}},
          "key_d": {"key_e": ["v1", "v2", "v3"]}})",
      FilterPolicyScope::kMessageBody));
  // 10 x 16 = 160.
  EXPECT_EQ(sns_error(R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                          "b": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]})")
                .message,
            "Invalid parameter: FilterPolicy: Filter policy is too complex");
  // 10 x 15 = 150 is allowed.
  EXPECT_NO_THROW(compile_sns_filter_policy(
      R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
          "b": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]})",
      FilterPolicyScope::kMessageAttributes));
}

TEST(SnsFilterPolicy, Scope) {
  EXPECT_EQ(parse_filter_policy_scope(""), FilterPolicyScope::kMessageAttributes);
  EXPECT_EQ(parse_filter_policy_scope("MessageAttributes"), FilterPolicyScope::kMessageAttributes);
  EXPECT_EQ(parse_filter_policy_scope("MessageBody"), FilterPolicyScope::kMessageBody);
  const AwsError e = error_of([] { parse_filter_policy_scope("Body"); });
  EXPECT_EQ(e.type, "InvalidParameter");
}

// Lambda FilterCriteria on SQS records.

json sqs_record(const std::string& body) {
  json record = json::parse(R"({
    "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
                   "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185"},
    "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
    "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-west-2:123456789012:my-queue",
    "awsRegion": "us-west-2"})");
  record["body"] = body;
  return record;
}

EventPattern criteria(const char* filter_criteria) {
  return compile_filter_criteria(json::parse(filter_criteria));
}

TEST(FilterCriteria, DocsExampleOnAJsonBody) {
  const EventPattern filter = criteria(
      R"({"Filters": [{"Pattern": "{ \"body\" : { \"RequestCode\" : [ \"BBBB\" ] } }"}]})");
  EXPECT_EQ(filter.subject(), PatternSubject::kSqsRecord);
  EXPECT_TRUE(
      filter.matches(sqs_record("{\n \"RecordNumber\": 1234,\n \"TimeStamp\": "
                                "\"yyyy-mm-ddThh:mm:ss\",\n \"RequestCode\": \"BBBB\"\n}")));
  EXPECT_FALSE(
      filter.matches(sqs_record("{\n \"RecordNumber\": 1234,\n \"TimeStamp\": "
                                "\"yyyy-mm-ddThh:mm:ss\",\n \"RequestCode\": \"AAAA\"\n}")));
  // A JSON pattern never matches a body that is not JSON.
  EXPECT_FALSE(filter.matches(sqs_record("RequestCode BBBB")));
}

TEST(FilterCriteria, PlainStringBodies) {
  const EventPattern filter = criteria(R"({"Filters": [{"Pattern": "{\"body\": [\"hello\"]}"}]})");
  EXPECT_TRUE(filter.matches(sqs_record("hello")));
  EXPECT_FALSE(filter.matches(sqs_record("goodbye")));
  // A plain-string pattern never matches a JSON body, even one equal to it.
  const EventPattern json_text = criteria(R"({"Filters": [{"Pattern": "{\"body\": [\"{}\"]}"}]})");
  EXPECT_FALSE(json_text.matches(sqs_record("{}")));
  const EventPattern prefix =
      criteria(R"({"Filters": [{"Pattern": "{\"body\": [{\"prefix\": \"ORDER-\"}]}"}]})");
  EXPECT_TRUE(prefix.matches(sqs_record("ORDER-17")));
}

TEST(FilterCriteria, MetadataFiltersAndOr) {
  const EventPattern filter = criteria(R"({"Filters": [
      {"Pattern": "{\"body\": {\"kind\": [\"a\"]}}"},
      {"Pattern": "{\"attributes\": {\"ApproximateReceiveCount\": [\"2\"]}}"}]})");
  EXPECT_TRUE(filter.matches(sqs_record(R"({"kind": "a"})")));
  EXPECT_FALSE(filter.matches(sqs_record(R"({"kind": "b"})")));
  json retried = sqs_record(R"({"kind": "b"})");
  retried["attributes"]["ApproximateReceiveCount"] = "2";
  EXPECT_TRUE(filter.matches(retried));
  // A filter without `body` reads the record whatever its body is.
  json plain_retried = sqs_record("plain");
  plain_retried["attributes"]["ApproximateReceiveCount"] = "2";
  EXPECT_TRUE(filter.matches(plain_retried));
}

TEST(FilterCriteria, NoFiltersMatchEverything) {
  EXPECT_TRUE(compile_filter_criteria(json()).matches_everything());
  EXPECT_TRUE(criteria(R"({})").matches(sqs_record("x")));
  EXPECT_TRUE(criteria(R"({"Filters": []})").matches(sqs_record("x")));
  EXPECT_FALSE(
      criteria(R"({"Filters": [{"Pattern": "{\"body\": [\"y\"]}"}]})").matches_everything());
}

TEST(FilterCriteria, PatternGivenAsAnObjectIsRead) {
  EXPECT_TRUE(criteria(R"({"Filters": [{"Pattern": {"body": {"a": [1]}}}]})")
                  .matches(sqs_record(R"({"a": 1})")));
}

TEST(FilterCriteria, Errors) {
  const AwsError bad =
      error_of([] { criteria(R"({"Filters": [{"Pattern": "{\"body\": []}"}]})"); });
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.type, "InvalidParameterValueException");
  EXPECT_EQ(bad.message, "Invalid filter pattern definition. Empty arrays are not allowed");
  EXPECT_EQ(error_of([] {
              criteria(R"({"Filters": [{"Pattern": "{\"a\": [{\"wildcard\": \"x*\"}]}"}]})");
            }).message,
            "Invalid filter pattern definition. Unrecognized match type wildcard");
  EXPECT_EQ(error_of([] { criteria(R"({"Filters": [{"Pattern": "not json"}]})"); }).message,
            "Invalid filter pattern definition. the pattern is not valid JSON");
  EXPECT_EQ(error_of([] { criteria(R"({"Filters": [{"Pattern": 5}]})"); }).type,
            "InvalidParameterValueException");
  EXPECT_EQ(error_of([] { criteria(R"({"Filters": [{}]})"); }).type,
            "InvalidParameterValueException");
  EXPECT_EQ(error_of([] { criteria(R"({"Filters": {}})"); }).type,
            "InvalidParameterValueException");
  const std::vector<std::string> six(6, R"({"a": [1]})");
  EXPECT_EQ(error_of([&] { compile_filter_criteria(six); }).type, "InvalidParameterValueException");
  EXPECT_NO_THROW(compile_filter_criteria(std::vector<std::string>(5, R"({"a": [1]})")));
  const std::string long_pattern = R"({"a": [")" + std::string(4096, 'x') + R"("]})";
  EXPECT_EQ(
      error_of([&] { compile_filter_criteria(std::vector<std::string>{long_pattern}); }).message,
      "Invalid filter pattern definition. the pattern is longer than 4096 characters");
}

}  // namespace
}  // namespace lambdad::events
