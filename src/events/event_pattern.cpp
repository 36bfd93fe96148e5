// The three consumers of the pattern grammar: what each accepts, the error each throws, and how
// each one's input becomes the document a pattern is matched against.

#include "lambdad/events/event_pattern.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "lambdad/common/aws_error.hpp"
#include "pattern_tree.hpp"

namespace lambdad::events {
namespace detail {

using json = nlohmann::json;

/// How a Lambda filter treats the SQS record's `body`.
enum class BodyUse {
  kNone,   ///< the filter does not name `body`: the record's other keys only
  kJson,   ///< `body` is an object pattern: the body must be JSON, matched parsed
  kPlain,  ///< `body` lists values: the body must not be JSON, matched as a string
};

struct Filter {
  ObjectPattern pattern;
  BodyUse body = BodyUse::kNone;
};

struct CompiledPattern {
  PatternSubject subject = PatternSubject::kEvent;
  NumberModel numbers;
  std::vector<Filter> filters;  ///< any may match; none at all matches everything

  static EventPattern make(PatternSubject subject, NumberModel numbers,
                           std::vector<Filter> filters) {
    auto compiled = std::make_shared<CompiledPattern>();
    compiled->subject = subject;
    compiled->numbers = std::move(numbers);
    compiled->filters = std::move(filters);
    return EventPattern(std::move(compiled));
  }
};

namespace {

// Event Ruler's range: ±5.0e9 with 6 decimals (EventBridge, Lambda).
NumberModel ruler_numbers() {
  return {5.0e9, 6, "5.0E9"};
}
// SNS documents ±1e9 with 5 decimals.
NumberModel sns_numbers() {
  return {1.0e9, 5, "1.0E9"};
}

Dialect event_bridge_dialect() {
  return Dialect{.numbers = ruler_numbers()};
}

// Lambda's filter rule table has no `wildcard` (AWS added it to EventBridge only).
Dialect lambda_dialect() {
  Dialect dialect{.numbers = ruler_numbers()};
  dialect.wildcard = false;
  return dialect;
}

// SNS: no wildcard, anything-but only with values, lists and prefix, and (AWS documents ±1e9 but
// accepts numbers beyond it in policies) no limit on operands.
Dialect sns_dialect(FilterPolicyScope scope) {
  Dialect dialect{.numbers = sns_numbers()};
  dialect.check_number_limits = false;
  dialect.wildcard = false;
  dialect.anything_but_beyond_prefix = false;
  dialect.ignore_case_prefix_suffix = false;
  dialect.nesting = scope == FilterPolicyScope::kMessageBody;
  return dialect;
}

bool looks_like_json_document(const json& value) {
  return value.is_object() || value.is_array();
}

// Parses text that may hold a JSON object or array (an SQS body, a String.Array attribute): the
// parsed value, or a discarded one. Deeply nested text is not parsed (it never matches a pattern
// anyway, and nothing recursive should see it).
json parse_document(std::string_view text) {
  if (nests_deeper_than(text, 1000)) return json(json::value_t::discarded);
  return json::parse(text, nullptr, false);
}

const std::string* string_member(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? &found->get_ref<const std::string&>()
                                                     : nullptr;
}

// SNS message attributes to the document a policy matches: {"name": value}.
json attributes_document(const json& attributes) {
  json document = json::object();
  if (!attributes.is_object()) return document;
  for (const auto& [name, attribute] : attributes.items()) {
    if (!attribute.is_object()) continue;
    const std::string* type = string_member(attribute, "Type");
    if (type == nullptr) type = string_member(attribute, "DataType");
    const std::string* value = string_member(attribute, "Value");
    if (value == nullptr) value = string_member(attribute, "StringValue");
    if (type == nullptr || value == nullptr || type->starts_with("Binary")) continue;
    if (type->starts_with("Number")) {
      json number = json::parse(*value, nullptr, false);
      document[name] = number.is_number() ? std::move(number) : json(*value);
    } else if (*type == "String.Array") {
      json array = parse_document(*value);
      document[name] = array.is_array() ? std::move(array) : json(*value);
    } else {
      document[name] = *value;
    }
  }
  return document;
}

BodyUse body_use(const ObjectPattern& pattern) {
  for (const FieldPattern& field : pattern.fields) {
    if (field.key == "body") return field.object ? BodyUse::kJson : BodyUse::kPlain;
  }
  return BodyUse::kNone;
}

AwsError event_bridge_error(const std::string& reason) {
  return {400, "InvalidEventPatternException", "Event pattern is not valid. Reason: " + reason};
}

AwsError sns_error(const PatternError& error) {
  return {400, "InvalidParameter",
          error.whole ? "Invalid parameter: " + error.reason
                      : "Invalid parameter: FilterPolicy: " + error.reason};
}

AwsError lambda_error(const std::string& reason) {
  return errors::invalid_parameter("Invalid filter pattern definition. " + reason);
}

// SNS counts at most 5 keys: the policy's top-level members (payload policies: nested keys do
// not count, as AWS's filter-policy-constraints page now says).
void check_sns_key_count(const json& policy) {
  if (policy.is_object() && policy.size() > 5) {
    throw PatternError{"Filter policy can not have more than 5 keys"};
  }
}

// SNS's complexity: the product, over the value lists, of each list's length times its nesting
// depth (AWS's own worked example: 4 values three levels down and 3 values two levels down make
// "3 x 4 x 2 x 3 = 72"); the branches of `$or` add up. At most 150.
double sns_combinations(const json& object, int depth, double combinations) {
  for (const auto& [key, value] : object.items()) {
    if (value.is_object()) {
      combinations = sns_combinations(value, depth + 1, combinations);
    } else if (value.is_array() && key == "$or") {
      double sum = 0;
      for (const json& branch : value) {
        if (branch.is_object()) sum += sns_combinations(branch, depth, combinations);
      }
      combinations = sum;
    } else if (value.is_array()) {
      combinations *= static_cast<double>(value.size()) * depth;
    }
  }
  return combinations;
}

// AWS's limits count characters: UTF-8 continuation bytes do not start one.
std::size_t character_count(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

json parse_pattern_text(std::string_view text) {
  if (nests_deeper_than(text, kMaxPatternDepth)) {
    throw PatternError{"the pattern nests deeper than " + std::to_string(kMaxPatternDepth) +
                       " levels"};
  }
  json pattern = json::parse(text, nullptr, false);
  if (pattern.is_discarded()) throw PatternError{"the pattern is not valid JSON"};
  return pattern;
}

EventPattern event_bridge_pattern(const json& pattern) {
  std::vector<Filter> filters;
  filters.push_back({compile_object(pattern, event_bridge_dialect())});
  return CompiledPattern::make(PatternSubject::kEvent, ruler_numbers(), std::move(filters));
}

bool json_nests_deeper_than(const json& value, int limit) {
  if (!value.is_object() && !value.is_array()) return false;
  if (limit == 0) return true;
  for (const auto& element : value) {
    if (json_nests_deeper_than(element, limit - 1)) return true;
  }
  return false;
}

}  // namespace
}  // namespace detail

using detail::BodyUse;
using detail::CompiledPattern;
using detail::PatternError;
using json = nlohmann::json;

EventPattern::EventPattern(std::shared_ptr<const detail::CompiledPattern> compiled)
    : compiled_(std::move(compiled)) {}

PatternSubject EventPattern::subject() const {
  return compiled_->subject;
}

bool EventPattern::matches_everything() const {
  return compiled_->filters.empty();
}

bool EventPattern::matches(const json& input) const {
  const CompiledPattern& c = *compiled_;
  if (c.filters.empty()) return true;
  switch (c.subject) {
    case PatternSubject::kEvent:
      return detail::match_object(c.filters[0].pattern, input, c.numbers);
    case PatternSubject::kSnsMessageAttributes:
      return detail::match_object(c.filters[0].pattern, detail::attributes_document(input),
                                  c.numbers);
    case PatternSubject::kSnsMessageBody: {
      if (input.is_string()) {
        const json body = detail::parse_document(input.get_ref<const std::string&>());
        return body.is_object() && detail::match_object(c.filters[0].pattern, body, c.numbers);
      }
      return input.is_object() && detail::match_object(c.filters[0].pattern, input, c.numbers);
    }
    case PatternSubject::kSqsRecord: {
      // The body is parsed once, and only when a filter wants it.
      const auto body_text = input.is_object() ? detail::string_member(input, "body") : nullptr;
      std::optional<json> parsed;
      const auto body_json = [&]() -> const json* {
        if (body_text == nullptr) return nullptr;
        if (!parsed) parsed = detail::parse_document(*body_text);
        return detail::looks_like_json_document(*parsed) ? &*parsed : nullptr;
      };
      return std::any_of(c.filters.begin(), c.filters.end(), [&](const detail::Filter& filter) {
        switch (filter.body) {
          case BodyUse::kNone:
            return detail::match_object(filter.pattern, input, c.numbers);
          case BodyUse::kJson: {
            const json* body = body_json();
            return body != nullptr &&
                   detail::match_object(filter.pattern, input, c.numbers, "body", body);
          }
          case BodyUse::kPlain:
            return body_json() == nullptr && detail::match_object(filter.pattern, input, c.numbers);
        }
        return false;
      });
    }
  }
  return false;
}

bool EventPattern::matches_sns_message(std::string_view message, const json& attributes) const {
  if (compiled_->subject == PatternSubject::kSnsMessageBody) return matches(json(message));
  return matches(attributes);
}

EventPattern compile_event_pattern(std::string_view pattern_json, std::size_t max_chars) {
  try {
    if (detail::character_count(pattern_json) > max_chars) {
      throw PatternError{"the pattern is longer than " + std::to_string(max_chars) +
                         " characters (EventBridge's quota)"};
    }
    return detail::event_bridge_pattern(detail::parse_pattern_text(pattern_json));
  } catch (const PatternError& e) {
    throw detail::event_bridge_error(e.reason);
  }
}

EventPattern compile_event_pattern_value(const json& pattern, std::size_t max_chars) {
  try {
    if (detail::json_nests_deeper_than(pattern, detail::kMaxPatternDepth)) {
      throw PatternError{"the pattern nests deeper than " +
                         std::to_string(detail::kMaxPatternDepth) + " levels"};
    }
    if (detail::character_count(pattern.dump(-1, ' ', false, json::error_handler_t::replace)) >
        max_chars) {
      throw PatternError{"the pattern is longer than " + std::to_string(max_chars) +
                         " characters (EventBridge's quota)"};
    }
    return detail::event_bridge_pattern(pattern);
  } catch (const PatternError& e) {
    throw detail::event_bridge_error(e.reason);
  }
}

FilterPolicyScope parse_filter_policy_scope(std::string_view scope) {
  if (scope.empty() || scope == "MessageAttributes") return FilterPolicyScope::kMessageAttributes;
  if (scope == "MessageBody") return FilterPolicyScope::kMessageBody;
  throw AwsError(400, "InvalidParameter",
                 "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [" +
                     std::string(scope) + "]. Please use either MessageBody or MessageAttributes");
}

EventPattern compile_sns_filter_policy(std::string_view policy_json, FilterPolicyScope scope) {
  try {
    if (policy_json.size() > 256 * 1024) {
      throw PatternError{"Filter policy is too long (256 KB at most)"};
    }
    const json policy = detail::parse_pattern_text(policy_json);
    detail::check_sns_key_count(policy);
    if (policy.is_object() && detail::sns_combinations(policy, 1, 1) > 150) {
      throw PatternError{"Filter policy is too complex"};
    }
    std::vector<detail::Filter> filters;
    filters.push_back({detail::compile_object(policy, detail::sns_dialect(scope))});
    return CompiledPattern::make(scope == FilterPolicyScope::kMessageBody
                                     ? PatternSubject::kSnsMessageBody
                                     : PatternSubject::kSnsMessageAttributes,
                                 detail::sns_numbers(), std::move(filters));
  } catch (const PatternError& e) {
    throw detail::sns_error(e);
  }
}

EventPattern compile_filter_criteria(const std::vector<std::string>& patterns) {
  if (patterns.size() > kFilterCriteriaMaxFilters) {
    throw errors::invalid_parameter("Invalid filter criteria: at most " +
                                    std::to_string(kFilterCriteriaMaxFilters) +
                                    " filters are allowed, got " + std::to_string(patterns.size()));
  }
  std::vector<detail::Filter> filters;
  for (const std::string& text : patterns) {
    try {
      if (detail::character_count(text) > kFilterPatternMaxChars) {
        throw PatternError{"the pattern is longer than " + std::to_string(kFilterPatternMaxChars) +
                           " characters"};
      }
      detail::ObjectPattern pattern =
          detail::compile_object(detail::parse_pattern_text(text), detail::lambda_dialect());
      const BodyUse body = detail::body_use(pattern);
      filters.push_back({std::move(pattern), body});
    } catch (const PatternError& e) {
      throw detail::lambda_error(e.reason);
    }
  }
  return CompiledPattern::make(PatternSubject::kSqsRecord, detail::ruler_numbers(),
                               std::move(filters));
}

EventPattern compile_filter_criteria(const json& filter_criteria) {
  std::vector<std::string> patterns;
  if (filter_criteria.is_null()) return compile_filter_criteria(patterns);
  const auto bad = [](const std::string& what) {
    return errors::invalid_parameter("Invalid filter criteria: " + what);
  };
  if (!filter_criteria.is_object()) throw bad("FilterCriteria must be an object");
  const auto found = filter_criteria.find("Filters");
  if (found == filter_criteria.end() || found->is_null()) return compile_filter_criteria(patterns);
  if (!found->is_array()) throw bad("Filters must be a list");
  for (const json& filter : *found) {
    const auto pattern = filter.is_object() ? filter.find("Pattern") : filter.end();
    if (!filter.is_object() || pattern == filter.end()) throw bad("each filter needs a Pattern");
    // CloudFormation wants the pattern as a string; SAM templates sometimes give the object
    // itself, which is read as its JSON text (as lenient as SAM's own local runs).
    if (pattern->is_object()) {
      patterns.push_back(pattern->dump(-1, ' ', false, json::error_handler_t::replace));
    } else if (pattern->is_string()) {
      patterns.push_back(pattern->get<std::string>());
    } else {
      throw bad("Pattern must be a string");
    }
  }
  return compile_filter_criteria(patterns);
}

}  // namespace lambdad::events
