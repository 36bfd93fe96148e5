// EventBridge event patterns: every example of AWS's "Content filtering in Amazon EventBridge
// event patterns" page and of Event Ruler's README, each with an event it matches and one it does
// not, then the patterns AWS refuses, with its reasons.

#include "lambdad/events/event_pattern.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/error_of.hpp"

namespace lambdad::events {
namespace {

using json = nlohmann::json;
using lambdad::testing::error_of;

struct Case {
  const char* name;
  const char* pattern;
  const char* event;
  bool matches;
};

// AWS's sample EC2 event (eb-event-patterns), the base of most cases below.
constexpr const char* kEc2Event = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}})";

class PatternTable : public ::testing::TestWithParam<Case> {};

TEST_P(PatternTable, MatchesAsAwsDoes) {
  const Case& c = GetParam();
  const EventPattern pattern = compile_event_pattern(c.pattern);
  const json event = json::parse(std::string_view(c.event) == "EC2" ? kEc2Event : c.event);
  EXPECT_EQ(pattern.matches(event), c.matches) << c.pattern << "\nagainst " << event.dump();
}

const Case kCases[] = {
    // The basic pattern: fields AND, values OR, absent fields ignored.
    {"ec2_terminated",
     R"({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
         "detail": {"state": ["terminated"]}})",
     "EC2", true},
    {"ec2_running_only", R"({"source": ["aws.ec2"], "detail": {"state": ["running", "pending"]}})",
     "EC2", false},
    {"value_list_is_or", R"({"detail": {"state": ["running", "terminated"]}})", "EC2", true},
    {"missing_field_fails", R"({"detail": {"status": ["terminated"]}})", "EC2", false},
    {"nested_object_over_scalar", R"({"source": {"x": ["aws.ec2"]}})", "EC2", false},
    // Event arrays: any element; a pattern array holds candidates.
    {"array_value_any_element",
     R"({"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]})", "EC2",
     true},
    {"array_value_no_element", R"({"resources": ["arn:aws:s3:::bucket"]})", "EC2", false},
    {"array_in_array", R"({"a": [3]})", R"({"a": [[1, 2], [3]]})", true},
    // Array-consistent matching (Ruler README): one element must hold every field.
    {"array_objects_same_element",
     R"({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}})",
     R"({"employees": [{"firstName": "John", "lastName": "Doe"},
                       {"firstName": "Anna", "lastName": "Smith"}]})",
     true},
    {"array_objects_across_elements",
     R"({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}})",
     R"({"employees": [{"firstName": "Anna", "lastName": "Smith"},
                       {"firstName": "Peter", "lastName": "Jones"}]})",
     false},
    {"array_objects_multi_level", R"({"employees": {"firstName": ["Peter"]}})",
     R"({"employees": [[{"firstName": "John"}], [{"firstName": "Peter"}]]})", true},
    // Exact values: types matter, numbers compare as numbers.
    {"null_matches_null", R"({"a": [null]})", R"({"a": null})", true},
    {"null_not_missing", R"({"a": [null]})", R"({"b": 1})", false},
    {"empty_string", R"({"a": [""]})", R"({"a": ""})", true},
    {"empty_string_not_null", R"({"a": [""]})", R"({"a": null})", false},
    {"bool_true", R"({"a": [true]})", R"({"a": true})", true},
    {"bool_not_string", R"({"a": [true]})", R"({"a": "true"})", false},
    {"number_not_string", R"({"a": [5]})", R"({"a": "5"})", false},
    {"string_not_number", R"({"a": ["5"]})", R"({"a": 5})", false},
    {"number_written_differently", R"({"a": [5]})", R"({"a": 5.0})", true},
    {"number_exponent", R"({"a": [300]})", R"({"a": 3e2})", true},
    {"account_id_beyond_range", R"({"account": [123456789012]})", R"({"account": 123456789012})",
     true},
    {"account_id_other", R"({"account": [123456789012]})", R"({"account": 123456789013})", false},
    // Prefix, suffix and their ignore-case forms.
    {"prefix", R"({"time": [{"prefix": "2017-10-02"}]})", R"({"time": "2017-10-02T18:43:48Z"})",
     true},
    {"prefix_other", R"({"time": [{"prefix": "2017-10-02"}]})",
     R"({"time": "2017-10-03T00:00:00Z"})", false},
    {"prefix_not_number", R"({"a": [{"prefix": "1"}]})", R"({"a": 123})", false},
    {"prefix_ignore_case",
     R"({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}})",
     R"({"detail": {"service": "eventbridge"}})", true},
    {"prefix_ignore_case_other",
     R"({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}})",
     R"({"detail": {"service": "Lambda"}})", false},
    {"suffix", R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "image.png"})", true},
    {"suffix_other", R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "image.PNG"})",
     false},
    {"suffix_ignore_case",
     R"({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}})",
     R"({"detail": {"FileName": "IMAGE.PNG"}})", true},
    {"suffix_ignore_case_other",
     R"({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}})",
     R"({"detail": {"FileName": "image.jpg"}})", false},
    {"equals_ignore_case",
     R"({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]})",
     "EC2", true},
    {"equals_ignore_case_other", R"({"source": [{"equals-ignore-case": "AWS.EC3"}]})", "EC2",
     false},
    // Wildcards.
    {"wildcard", R"({"source": [{"wildcard": "Simple*Service"}]})",
     R"({"source": "SimpleQueueService"})", true},
    {"wildcard_empty_star", R"({"source": [{"wildcard": "Simple*Service"}]})",
     R"({"source": "SimpleService"})", true},
    {"wildcard_anchored_end", R"({"source": [{"wildcard": "Simple*Service"}]})",
     R"({"source": "SimpleQueueServices"})", false},
    {"wildcard_path", R"({"detail": {"object": {"key": [{"wildcard": "dir/*/file*.txt"}]}}})",
     R"({"detail": {"object": {"key": "dir/2024/file-01.txt"}}})", true},
    {"wildcard_path_other", R"({"detail": {"object": {"key": [{"wildcard": "dir/*/file*.txt"}]}}})",
     R"({"detail": {"object": {"key": "dir/2024/other.txt"}}})", false},
    {"wildcard_repeated_piece", R"({"a": [{"wildcard": "*ab*ab"}]})", R"({"a": "xabyab"})", true},
    {"wildcard_overlap", R"({"a": [{"wildcard": "ab*ba"}]})", R"({"a": "aba"})", false},
    {"wildcard_escaped_star", R"({"a": [{"wildcard": "a\\*b"}]})", R"({"a": "a*b"})", true},
    {"wildcard_escaped_star_literal", R"({"a": [{"wildcard": "a\\*b"}]})", R"({"a": "axb"})",
     false},
    {"wildcard_escaped_backslash", R"({"a": [{"wildcard": "a\\\\*"}]})", R"({"a": "a\\bc"})", true},
    {"wildcard_not_number", R"({"a": [{"wildcard": "1*"}]})", R"({"a": 12})", false},
    // Anything-but in all its forms; it needs the field.
    {"anything_but", R"({"detail": {"state": [{"anything-but": "initializing"}]}})",
     R"({"detail": {"state": "running"}})", true},
    {"anything_but_other", R"({"detail": {"state": [{"anything-but": "initializing"}]}})",
     R"({"detail": {"state": "initializing"}})", false},
    {"anything_but_missing", R"({"detail": {"state": [{"anything-but": "initializing"}]}})",
     R"({"detail": {}})", false},
    {"anything_but_other_type", R"({"detail": {"state": [{"anything-but": "initializing"}]}})",
     R"({"detail": {"state": 5}})", true},
    {"anything_but_number", R"({"detail": {"x-limit": [{"anything-but": 123}]}})",
     R"({"detail": {"x-limit": 124}})", true},
    {"anything_but_number_other", R"({"detail": {"x-limit": [{"anything-but": 123}]}})",
     R"({"detail": {"x-limit": 123.0}})", false},
    {"anything_but_list", R"({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}})",
     R"({"detail": {"state": "running"}})", true},
    {"anything_but_list_other",
     R"({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}})",
     R"({"detail": {"state": "overloaded"}})", false},
    {"anything_but_number_list", R"({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}})",
     R"({"detail": {"x-limit": 301.8}})", true},
    {"anything_but_number_list_other",
     R"({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}})",
     R"({"detail": {"x-limit": 200}})", false},
    // Surprising, as on AWS: one element outside the exclusions is enough.
    {"anything_but_array_any_element", R"({"a": [{"anything-but": "x"}]})", R"({"a": ["x", "y"]})",
     true},
    {"anything_but_array_all_excluded", R"({"a": [{"anything-but": "x"}]})", R"({"a": ["x", "x"]})",
     false},
    {"anything_but_prefix", R"({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}})",
     R"({"detail": {"state": "running"}})", true},
    {"anything_but_prefix_other",
     R"({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}})",
     R"({"detail": {"state": "initializing"}})", false},
    {"anything_but_suffix", R"({"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}})",
     R"({"detail": {"FileName": "a.txt"}})", true},
    {"anything_but_suffix_other",
     R"({"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}})",
     R"({"detail": {"FileName": "a.png"}})", false},
    {"anything_but_ignore_case",
     R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}})",
     R"({"detail": {"state": "RUNNING"}})", true},
    {"anything_but_ignore_case_other",
     R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}})",
     R"({"detail": {"state": "INITIALIZING"}})", false},
    {"anything_but_ignore_case_list",
     R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "Overloaded"]}}]}})",
     R"({"detail": {"state": "overloaded"}})", false},
    {"anything_but_wildcard",
     R"({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}})",
     R"({"detail": {"FilePath": "/usr/bin/ls"}})", true},
    {"anything_but_wildcard_other",
     R"({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}})",
     R"({"detail": {"FilePath": "/usr/lib/libc.so"}})", false},
    {"anything_but_wildcard_list",
     R"({"detail": {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}})",
     R"({"detail": {"FilePath": "/usr/bin/ls"}})", false},
    // Numeric.
    {"numeric_all",
     R"({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}],
                    "x-limit": [{"numeric": ["=", 3.018e2]}]}})",
     R"({"detail": {"c-count": 5, "d-count": 3, "x-limit": 301.8}})", true},
    {"numeric_upper_bound_out", R"({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}})",
     R"({"detail": {"c-count": 6}})", false},
    {"numeric_open_lower_bound", R"({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}})",
     R"({"detail": {"c-count": 0}})", false},
    {"numeric_closed_lower_bound", R"({"a": [{"numeric": [">=", 0, "<", 5]}]})", R"({"a": 0})",
     true},
    {"numeric_open_upper_bound", R"({"a": [{"numeric": [">=", 0, "<", 5]}]})", R"({"a": 5})",
     false},
    {"numeric_not_string", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": "5"})", false},
    {"numeric_negative", R"({"a": [{"numeric": ["<", -1.5]}]})", R"({"a": -2})", true},
    // Surprising, as on AWS: numbers compare with six decimals, and beyond ±5e9 not at all.
    {"numeric_six_decimals", R"({"a": [{"numeric": ["=", 1]}]})", R"({"a": 1.0000001})", true},
    {"numeric_sixth_decimal_counts", R"({"a": [{"numeric": ["=", 1]}]})", R"({"a": 1.000001})",
     false},
    {"numeric_event_beyond_range", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": 6e9})", false},
    {"numeric_at_range_limit", R"({"a": [{"numeric": [">=", 5e9]}]})", R"({"a": 5e9})", true},
    // IP addresses.
    {"cidr_v4", R"({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}})",
     R"({"detail": {"sourceIPAddress": "10.0.0.255"}})", true},
    {"cidr_v4_other", R"({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}})",
     R"({"detail": {"sourceIPAddress": "10.0.1.1"}})", false},
    {"cidr_v4_odd_bits", R"({"ip": [{"cidr": "192.168.0.0/23"}]})", R"({"ip": "192.168.1.7"})",
     true},
    {"cidr_v4_odd_bits_other", R"({"ip": [{"cidr": "192.168.0.0/23"}]})",
     R"({"ip": "192.168.2.7"})", false},
    {"cidr_v6", R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db8:1::7"})", true},
    {"cidr_v6_other", R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db9::1"})", false},
    {"cidr_family_differs", R"({"ip": [{"cidr": "0.0.0.0/0"}]})", R"({"ip": "::1"})", false},
    {"cidr_not_an_address", R"({"ip": [{"cidr": "0.0.0.0/0"}]})", R"({"ip": "localhost"})", false},
    // Exists: leaves only.
    {"exists_true", R"({"detail": {"state": [{"exists": true}]}})", "EC2", true},
    {"exists_true_missing", R"({"detail": {"c-count": [{"exists": true}]}})", "EC2", false},
    {"exists_true_null", R"({"a": [{"exists": true}]})", R"({"a": null})", true},
    {"exists_false", R"({"detail": {"c-count": [{"exists": false}]}})",
     R"({"detail-type": ["EC2 Instance State-change Notification"],
         "detail": {"state": ["initializing", "running"]}})",
     true},
    {"exists_false_present", R"({"detail": {"c-count": [{"exists": false}]}})",
     R"({"detail": {"c-count": 1}})", false},
    {"exists_false_object_is_not_a_leaf", R"({"detail": {"c-count": [{"exists": false}]}})",
     R"({"detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}})", true},
    {"exists_true_object_is_not_a_leaf", R"({"detail": {"c-count": [{"exists": true}]}})",
     R"({"detail": {"c-count": {"c1": 100}}})", false},
    {"exists_false_parent_missing", R"({"detail": {"c-count": [{"exists": false}]}})",
     R"({"source": "x"})", true},
    {"exists_false_empty_array", R"({"a": [{"exists": false}]})", R"({"a": []})", true},
    {"exists_false_in_array_element", R"({"items": {"b": [{"exists": false}]}})",
     R"({"items": [{"a": 1}, {"b": 2}]})", true},
    {"exists_false_every_element_has_it", R"({"items": {"b": [{"exists": false}]}})",
     R"({"items": [{"b": 1}]})", false},
    // $or (Ruler README), including nested and parallel ones.
    {"or_normal",
     R"({"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]},
                                                {"namespace": ["AWS/EC2", "AWS/ES"]}]})",
     R"({"source": "aws.cloudwatch", "namespace": "AWS/ES"})", true},
    {"or_normal_neither",
     R"({"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]},
                                                {"namespace": ["AWS/EC2", "AWS/ES"]}]})",
     R"({"source": "aws.cloudwatch", "namespace": "AWS/S3"})", false},
    {"or_parallel",
     R"({"$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
         "detail": {"$or": [{"source": ["aws.cloudwatch"]},
                            {"detail-type": ["CloudWatch Alarm State Change"]}]}})",
     R"({"namespace": "AWS/EC2", "detail": {"detail-type": "CloudWatch Alarm State Change"}})",
     true},
    {"or_parallel_second_fails",
     R"({"$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
         "detail": {"$or": [{"source": ["aws.cloudwatch"]},
                            {"detail-type": ["CloudWatch Alarm State Change"]}]}})",
     R"({"namespace": "AWS/EC2", "detail": {"source": "aws.ec2"}})", false},
    {"or_nested_and",
     R"({"source": ["aws.cloudwatch"],
         "$or": [{"metricName": ["CPUUtilization"]},
                 {"metricType": ["MetricType"], "namespace": ["AWS/EC2"],
                  "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
                 {"scope": ["Service"]}]})",
     R"({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2",
         "spaceId": 1000})",
     true},
    {"or_nested_and_inner_fails",
     R"({"source": ["aws.cloudwatch"],
         "$or": [{"metricName": ["CPUUtilization"]},
                 {"metricType": ["MetricType"], "namespace": ["AWS/EC2"],
                  "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
                 {"scope": ["Service"]}]})",
     R"({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2",
         "spaceId": 1001})",
     false},
    // The docs' complex example.
    {"complex",
     R"({"time": [{"prefix": "2017-10-02"}],
         "detail": {"state": [{"anything-but": "initializing"}],
                    "c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}],
                    "x-limit": [{"anything-but": [100, 200, 300]}],
                    "source-ip": [{"cidr": "10.0.0.0/8"}]}})",
     R"({"time": "2017-10-02T16:24:49Z",
         "detail": {"c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
                    "state": "running"}})",
     true},
    {"complex_one_field_off",
     R"({"time": [{"prefix": "2017-10-02"}],
         "detail": {"state": [{"anything-but": "initializing"}],
                    "c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}],
                    "x-limit": [{"anything-but": [100, 200, 300]}],
                    "source-ip": [{"cidr": "10.0.0.0/8"}]}})",
     R"({"time": "2017-10-02T16:24:49Z",
         "detail": {"c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "11.0.0.33",
                    "state": "running"}})",
     false},
    // A mixed list: any candidate.
    {"mixed_candidates", R"({"a": ["x", {"prefix": "y"}, {"numeric": [">", 10]}]})", R"({"a": 11})",
     true},
    {"event_not_an_object", R"({"a": [{"exists": false}]})", R"([1, 2])", true},
};

INSTANTIATE_TEST_SUITE_P(Docs, PatternTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EventPattern, CompiledFromJsonValueAsFromText) {
  const json pattern = json::parse(R"({"detail": {"state": ["terminated"]}})");
  EXPECT_TRUE(compile_event_pattern_value(pattern).matches(json::parse(kEc2Event)));
  EXPECT_EQ(compile_event_pattern_value(pattern).subject(), PatternSubject::kEvent);
}

TEST(EventPattern, CopiesShareTheCompiledPattern) {
  const EventPattern a = compile_event_pattern(R"({"source": ["aws.ec2"]})");
  const EventPattern b = a;
  EXPECT_TRUE(b.matches(json::parse(kEc2Event)));
  EXPECT_FALSE(b.matches_everything());
}

TEST(EventPattern, DeeplyNestedEventArraysDoNotRecurse) {
  std::string text = R"({"a": )";
  for (int i = 0; i < 100000; ++i) text += '[';
  text += "7";
  for (int i = 0; i < 100000; ++i) text += ']';
  text += '}';
  const json event = json::parse(text);
  EXPECT_TRUE(compile_event_pattern(R"({"a": [7]})").matches(event));
  EXPECT_FALSE(compile_event_pattern(R"({"a": [8]})").matches(event));
}

// Malformed patterns: the reasons AWS gives (Event Ruler's), after its prefix.
struct Bad {
  const char* name;
  std::string pattern;
  const char* reason;
};

class BadPatternTable : public ::testing::TestWithParam<Bad> {};

TEST_P(BadPatternTable, RefusedWithAwsReason) {
  const Bad& bad = GetParam();
  const AwsError e = error_of([&] { compile_event_pattern(bad.pattern); });
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.type, "InvalidEventPatternException");
  EXPECT_EQ(e.message, std::string("Event pattern is not valid. Reason: ") + bad.reason)
      << bad.pattern;
}

std::string nested(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += R"({"a": )";
  text += "[1]";
  for (int i = 0; i < depth; ++i) text += '}';
  return text;
}

const Bad kBad[] = {
    {"not_json", "{source: [1]}", "the pattern is not valid JSON"},
    {"array", R"(["aws.ec2"])", "Filter is not an object"},
    {"string", R"("aws.ec2")", "Filter is not an object"},
    {"number", "5", "Filter is not an object"},
    {"empty_object", "{}", "Empty objects are not allowed"},
    {"empty_nested_object", R"({"detail": {}})", "Empty objects are not allowed"},
    {"empty_array", R"({"source": []})", "Empty arrays are not allowed"},
    {"scalar_value", R"({"source": "aws.ec2"})", R"("source" must be an object or an array)"},
    {"null_value", R"({"source": null})", R"("source" must be an object or an array)"},
    {"array_in_values", R"({"source": [["aws.ec2"]]})",
     "Match value must be String, number, true, false, or null"},
    {"unknown_operator", R"({"source": [{"contains": "ec2"}]})",
     "Unrecognized match type contains"},
    {"empty_expression", R"({"source": [{}]})", "Match expression name not found"},
    {"two_operators", R"({"source": [{"prefix": "a", "suffix": "b"}]})",
     "Only one key allowed in match expression"},
    {"prefix_number", R"({"source": [{"prefix": 5}]})", "prefix match pattern must be a string"},
    {"suffix_object", R"({"source": [{"suffix": {"x": "y"}}]})",
     "suffix match pattern must be a string"},
    {"prefix_ignore_case_number", R"({"source": [{"prefix": {"equals-ignore-case": 1}}]})",
     "equals-ignore-case match pattern must be a string"},
    {"equals_ignore_case_number", R"({"source": [{"equals-ignore-case": 1}]})",
     "equals-ignore-case match pattern must be a string"},
    {"wildcard_number", R"({"source": [{"wildcard": 1}]})",
     "wildcard match pattern must be a string"},
    {"wildcard_consecutive", R"({"source": [{"wildcard": "a**b"}]})",
     "Consecutive wildcard characters at pos 2"},
    {"wildcard_bad_escape", R"({"source": [{"wildcard": "a\\b"}]})",
     "Invalid escape character at pos 1"},
    {"wildcard_trailing_backslash", R"({"source": [{"wildcard": "a\\"}]})",
     "Invalid escape character at pos 1"},
    {"exists_string", R"({"source": [{"exists": "yes"}]})",
     "exists match pattern must be either true or false."},
    {"anything_but_null", R"({"a": [{"anything-but": null}]})",
     "Value of anything-but must be an array or single string/number value."},
    {"anything_but_mixed", R"({"a": [{"anything-but": ["x", 1]}]})",
     "Inside anything but list, either all values are number or string, mixed type is not "
     "supported"},
    {"anything_but_empty_list", R"({"a": [{"anything-but": []}]})",
     "Inside anything but list, either all values are number or string, mixed type is not "
     "supported"},
    {"anything_but_list_null", R"({"a": [{"anything-but": [null]}]})",
     "Inside anything but list, start|null|boolean is not supported."},
    {"anything_but_unknown", R"({"a": [{"anything-but": {"contains": "x"}}]})",
     "Unsupported anything-but pattern: contains"},
    {"anything_but_empty_object", R"({"a": [{"anything-but": {}}]})",
     "Anything-But expression name not found"},
    {"anything_but_empty_prefix", R"({"a": [{"anything-but": {"prefix": ""}}]})",
     "Null prefix/suffix not allowed"},
    {"anything_but_prefix_number", R"({"a": [{"anything-but": {"prefix": 1}}]})",
     "prefix/suffix match pattern must be a string"},
    {"anything_but_number_beyond", R"({"a": [{"anything-but": 6e9}]})",
     "Value must be between -5.0E9 and 5.0E9, inclusive"},
    {"numeric_not_array", R"({"a": [{"numeric": 5}]})", "Value of numeric must be an array."},
    {"numeric_empty", R"({"a": [{"numeric": []}]})", "Invalid member in numeric match: ]"},
    {"numeric_first_not_string", R"({"a": [{"numeric": [5, ">"]}]})",
     "Invalid member in numeric match: 5"},
    {"numeric_unknown_operator", R"({"a": [{"numeric": ["!=", 5]}]})",
     "Unrecognized numeric range operator: !="},
    {"numeric_value_string", R"({"a": [{"numeric": [">", "5"]}]})", "Value of > must be numeric"},
    {"numeric_equals_value_missing", R"({"a": [{"numeric": ["="]}]})",
     "Value of equals must be numeric"},
    {"numeric_equals_range", R"({"a": [{"numeric": ["=", 5, "<", 6]}]})",
     "Too many elements in numeric expression"},
    {"numeric_upper_then_more", R"({"a": [{"numeric": ["<", 5, ">", 1]}]})",
     "Too many elements in numeric expression"},
    {"numeric_two_lower", R"({"a": [{"numeric": [">", 1, ">", 6]}]})",
     "Bad numeric range operator: >"},
    {"numeric_second_not_string", R"({"a": [{"numeric": [">", 1, 6]}]})",
     "Bad value in numeric range: 6"},
    {"numeric_top_missing", R"({"a": [{"numeric": [">", 1, "<"]}]})", "Value of < must be numeric"},
    {"numeric_inverted", R"({"a": [{"numeric": [">", 5, "<", 1]}]})",
     "Bottom must be less than top"},
    {"numeric_empty_range", R"({"a": [{"numeric": [">=", 5, "<=", 5]}]})",
     "Bottom must be less than top"},
    {"numeric_too_many", R"({"a": [{"numeric": [">", 1, "<", 2, 3]}]})",
     "Too many terms in numeric range expression"},
    {"numeric_beyond_range", R"({"a": [{"numeric": ["<", 5.1e9]}]})",
     "Value must be between -5.0E9 and 5.0E9, inclusive"},
    {"numeric_beyond_range_negative", R"({"a": [{"numeric": [">", -1e10]}]})",
     "Value must be between -5.0E9 and 5.0E9, inclusive"},
    {"cidr_number", R"({"ip": [{"cidr": 10}]})", "prefix match pattern must be a string"},
    {"cidr_no_slash", R"({"ip": [{"cidr": "10.0.0.0"}]})", "Malformed CIDR, one '/' required"},
    {"cidr_two_slashes", R"({"ip": [{"cidr": "10.0.0.0/8/8"}]})",
     "Malformed CIDR, one '/' required"},
    {"cidr_bits_text", R"({"ip": [{"cidr": "10.0.0.0/x"}]})",
     "Malformed CIDR, mask bits must be an integer"},
    {"cidr_bits_v4", R"({"ip": [{"cidr": "10.0.0.0/33"}]})",
     "Malformed CIDR, mask bits must be between 0 and 32"},
    {"cidr_bits_v6", R"({"ip": [{"cidr": "::/129"}]})",
     "Malformed CIDR, mask bits must be between 0 and 128"},
    {"cidr_bad_address", R"({"ip": [{"cidr": "300.0.0.0/8"}]})",
     "Nonstandard IP address: 300.0.0.0"},
    {"or_not_array", R"({"$or": {"a": [1]}})", "It must be an Array followed with $or."},
    {"or_one_branch", R"({"$or": [{"a": [1]}]})",
     "There must have at least 2 Objects in $or relationship."},
    {"or_branch_not_object", R"({"$or": [{"a": [1]}, [2]]})",
     "Only JSON object is allowed in array of $or relationship."},
    {"or_reserved_name", R"({"$or": [{"numeric": [1]}, {"a": [2]}]})",
     "numeric is Ruler reserved fieldName which cannot be used inside $or."},
    {"or_empty_branch", R"({"$or": [{}, {"a": [2]}]})", "Empty objects are not allowed"},
    {"nested_too_deep", nested(64), "the pattern nests deeper than 64 levels"},
    {"too_long", R"({"source": [")" + std::string(2040, 'x') + R"("]})",
     "the pattern is longer than 2048 characters (EventBridge's quota)"},
};

INSTANTIATE_TEST_SUITE_P(Docs, BadPatternTable, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EventPattern, DepthAndLengthLimitsAreInclusive) {
  EXPECT_NO_THROW(compile_event_pattern(nested(63)));
  const std::string at_limit = R"({"source": [")" + std::string(2048 - 16, 'x') + R"("]})";
  ASSERT_EQ(at_limit.size(), 2048u);
  EXPECT_NO_THROW(compile_event_pattern(at_limit));
  // Characters, not bytes: 2032 two-byte characters fit.
  std::string wide;
  for (int i = 0; i < 2048 - 16; ++i) wide += "\xc3\xa9";
  EXPECT_NO_THROW(compile_event_pattern(R"({"source": [")" + wide + R"("]})"));
  // The quota is the caller's (an account may have raised it to 4096).
  EXPECT_NO_THROW(compile_event_pattern(at_limit + "  ", 4096));
}

TEST(EventPattern, JsonValueOverloadChecksTheSameLimits) {
  EXPECT_EQ(error_of([] { compile_event_pattern_value(json::parse(nested(64))); }).message,
            "Event pattern is not valid. Reason: the pattern nests deeper than 64 levels");
  EXPECT_EQ(error_of([] { compile_event_pattern_value(json::array()); }).message,
            "Event pattern is not valid. Reason: Filter is not an object");
}

}  // namespace
}  // namespace lambdad::events
