#pragma once
/// @brief One matcher for the three JSON filter languages of the event plane, which are the same
/// grammar (AWS runs one engine, Event Ruler, behind all three) with per-service limits:
/// - EventBridge event patterns (PutRule, `AWS::Events::Rule`, SAM `EventBridgeRule` /
/// `CloudWatchEvent`):
///   compile_event_pattern(), errors 400 `InvalidEventPatternException`.
/// - SNS subscription filter policies (`FilterPolicy`, `FilterPolicyScope`):
/// compile_sns_filter_policy(),
///   errors 400 `InvalidParameter` "Invalid parameter: FilterPolicy: …".
/// - Lambda event source mapping `FilterCriteria` for SQS: compile_filter_criteria(), errors 400
///   `InvalidParameterValueException`.
///
/// Grammar (docs/compatibility.md, "Event patterns"): exact values (strings, numbers, booleans,
/// `null`; a list is an OR), nested objects, event arrays (any element), `prefix` / `suffix`
/// (plain or `{"equals-ignore-case": …}`), `equals-ignore-case`, `wildcard`, `anything-but`
/// (value, list, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`), `numeric`, `exists`,
/// `cidr` (IPv4 and IPv6) and `$or`.
///
/// Compile once, match many times: an EventPattern is immutable and cheap to copy (it shares its
/// compiled tree), and matches() may be called from any number of threads at once.

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lambdad::events {

namespace detail {
struct CompiledPattern;
}

/// What the matcher's input is, which follows from the function that compiled it.
enum class PatternSubject {
  kEvent,                 ///< an EventBridge event (or any JSON document), matched as is
  kSnsMessageAttributes,  ///< SNS `MessageAttributes` (FilterPolicyScope MessageAttributes)
  kSnsMessageBody,        ///< an SNS message body holding a JSON object (scope MessageBody)
  kSqsRecord,             ///< a Lambda SQS record, its `body` read as JSON when it is JSON
};

class EventPattern {
 public:
  /// Matches `input`, read according to subject():
  /// - kEvent: the event itself.
  /// - kSnsMessageAttributes: the message attributes, either as SNS notifications carry them
  ///   (`{"name": {"Type": "String", "Value": "x"}}`) or as Publish takes them
  ///   (`{"name": {"DataType": "Number", "StringValue": "5"}}`). `String` values are strings,
  ///   `Number` values numbers, `String.Array` values JSON arrays (any element matches);
  ///   `Binary` attributes are not compared, as on AWS.
  /// - kSnsMessageBody: the message body, as a JSON string (its text) or as parsed JSON. A body
  ///   that is not a JSON object matches nothing.
  /// - kSqsRecord: one record of a Lambda SQS event (`body` a string). Per filter: a pattern on
  ///   `body` that is an object needs a JSON body (parsed for matching); a pattern that lists
  ///   plain values for `body` needs a body that is not JSON; a filter without `body` matches the
  ///   record's other keys only. The record matches when any filter does (or there are none).
  bool matches(const nlohmann::json& input) const;

  /// SNS convenience: picks the message or its attributes according to the policy's scope.
  bool matches_sns_message(std::string_view message, const nlohmann::json& attributes) const;

  PatternSubject subject() const;
  /// True for an empty FilterCriteria (Lambda then filters nothing out).
  bool matches_everything() const;

 private:
  friend struct detail::CompiledPattern;
  explicit EventPattern(std::shared_ptr<const detail::CompiledPattern> compiled);
  std::shared_ptr<const detail::CompiledPattern> compiled_;
};

/// EventBridge's documented default quota for a rule's pattern (adjustable to 4096 on AWS).
inline constexpr std::size_t kEventPatternMaxChars = 2048;

/// An EventBridge event pattern. Throws lambdad::AwsError 400 `InvalidEventPatternException`
/// ("Event pattern is not valid. Reason: …") for malformed patterns and for patterns longer than
/// `max_chars` (counted on the JSON text, or on the compact dump of `pattern`).
EventPattern compile_event_pattern(std::string_view pattern_json,
                                   std::size_t max_chars = kEventPatternMaxChars);
/// The same for a pattern already parsed (a template's `EventPattern` property).
EventPattern compile_event_pattern_value(const nlohmann::json& pattern,
                                         std::size_t max_chars = kEventPatternMaxChars);

enum class FilterPolicyScope { kMessageAttributes, kMessageBody };

/// Reads a `FilterPolicyScope` attribute value: "MessageAttributes" (also the empty string,
/// AWS's default) or "MessageBody"; anything else throws 400 `InvalidParameter`.
FilterPolicyScope parse_filter_policy_scope(std::string_view scope);

/// An SNS subscription filter policy. Throws lambdad::AwsError 400 `InvalidParameter`
/// ("Invalid parameter: FilterPolicy: …"). SNS's own rules on top of the grammar: at most 5
/// top-level keys, at most 150 value combinations, 256 KB, no nesting with the MessageAttributes
/// scope; no `wildcard`, and `anything-but` takes only values, lists and `prefix`.
EventPattern compile_sns_filter_policy(std::string_view policy_json, FilterPolicyScope scope);

/// Lambda's limits for FilterCriteria: 5 filters (AWS's default quota), 4096 characters each.
inline constexpr std::size_t kFilterCriteriaMaxFilters = 5;
inline constexpr std::size_t kFilterPatternMaxChars = 4096;

/// A Lambda event source mapping's `FilterCriteria` (`{"Filters": [{"Pattern": "…"}]}`, the
/// CreateEventSourceMapping / SAM `FilterCriteria` shape) for an SQS source. Throws
/// lambdad::AwsError 400 `InvalidParameterValueException`. An absent or empty `Filters` list
/// gives a pattern that matches every record.
EventPattern compile_filter_criteria(const nlohmann::json& filter_criteria);
/// The same from the patterns' texts.
EventPattern compile_filter_criteria(const std::vector<std::string>& patterns);

}  // namespace lambdad::events
