// Walking a compiled pattern over a JSON document. Event Ruler's semantics, including the
// surprising ones (each is said where it happens):
// - A field whose event value is an array matches when any element does, and a nested pattern
//   over an array of objects must match within one element (Ruler's "array-consistent" matching:
//   {"a": {"x": [1], "y": [2]}} does not match {"a": [{"x": 1}, {"y": 2}]}).
// - `exists` looks at leaves only: an object value does not "exist", so {"exists": false} matches
//   a field holding an object, and an empty array counts as absent.
// - Every operator but `exists: false` needs the field to be present.

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "pattern_tree.hpp"

namespace lambdad::events::detail {
namespace {

using json = nlohmann::json;

double scale_of(const NumberModel& model) {
  return std::pow(10.0, model.decimals);
}

bool equal_ignoring_case(std::string_view value, std::string_view lowered) {
  if (value.size() != lowered.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        static_cast<unsigned char>(lowered[i])) {
      return false;
    }
  }
  return true;
}

// The leaves of an event value: itself, or the scalars of an array and of the arrays inside it
// (objects are not leaves). Iterative: an event may nest arrays deeper than any stack allows.
template <typename Visit>
bool any_leaf(const json& value, Visit&& visit) {
  if (!value.is_array()) return !value.is_object() && visit(value);
  std::vector<std::pair<const json*, size_t>> stack{{&value, 0}};
  while (!stack.empty()) {
    auto& [array, next] = stack.back();
    if (next == array->size()) {
      stack.pop_back();
      continue;
    }
    const json& element = (*array)[next++];
    if (element.is_array()) {
      stack.emplace_back(&element, 0);
    } else if (!element.is_object() && visit(element)) {
      return true;
    }
  }
  return false;
}

// The objects of an event value that is an array (nested arrays flattened), for a nested pattern.
template <typename Visit>
bool any_object(const json& array, bool& saw_object, Visit&& visit) {
  std::vector<std::pair<const json*, size_t>> stack{{&array, 0}};
  while (!stack.empty()) {
    auto& [current, next] = stack.back();
    if (next == current->size()) {
      stack.pop_back();
      continue;
    }
    const json& element = (*current)[next++];
    if (element.is_array()) {
      stack.emplace_back(&element, 0);
    } else if (element.is_object()) {
      saw_object = true;
      if (visit(element)) return true;
    }
  }
  return false;
}

bool numbers_equal(const json& leaf, const json& number, std::optional<std::int64_t> fixed,
                   const NumberModel& model) {
  if (!leaf.is_number()) return false;
  if (fixed) {
    const auto leaf_fixed = comparable_number(leaf.get<double>(), model);
    if (leaf_fixed) return *leaf_fixed == *fixed;
  }
  return leaf == number;
}

bool in_range(const NumericRange& range, std::int64_t value) {
  if (range.has_low && (range.low_open ? value <= range.low : value < range.low)) return false;
  if (range.has_high && (range.high_open ? value >= range.high : value > range.high)) return false;
  return true;
}

bool test_leaf(const ValueMatcher& matcher, const json& leaf, const NumberModel& model) {
  switch (matcher.kind) {
    case ValueMatcher::Kind::kExact:
      if (matcher.exact.is_number()) {
        return numbers_equal(leaf, matcher.exact, matcher.exact_number, model);
      }
      return leaf == matcher.exact;
    case ValueMatcher::Kind::kString:
      return leaf.is_string() && matcher.strings[0].matches(leaf.get_ref<const std::string&>());
    case ValueMatcher::Kind::kAnythingBut:
      // Any leaf the exclusions do not catch, whatever its type: {"anything-but": "a"} matches 5
      // and null. With an array value, one such element is enough, so ["a", "b"] matches too.
      if (leaf.is_string()) {
        const auto& text = leaf.get_ref<const std::string&>();
        return std::none_of(matcher.strings.begin(), matcher.strings.end(),
                            [&](const StringTest& test) { return test.matches(text); });
      }
      if (leaf.is_number()) {
        return std::none_of(matcher.numbers.begin(), matcher.numbers.end(), [&](const json& n) {
          return numbers_equal(leaf, n, comparable_number(n.get<double>(), model), model);
        });
      }
      return true;
    case ValueMatcher::Kind::kNumeric: {
      if (!leaf.is_number()) return false;
      const auto fixed = comparable_number(leaf.get<double>(), model);
      return fixed && in_range(matcher.range, *fixed);
    }
    case ValueMatcher::Kind::kExists:
      return matcher.exists;
    case ValueMatcher::Kind::kCidr:
      return leaf.is_string() && matcher.cidr.contains(leaf.get_ref<const std::string&>());
  }
  return false;
}

bool match_leaf_field(const std::vector<ValueMatcher>& values, const json* value,
                      const NumberModel& model) {
  const bool found =
      value != nullptr && any_leaf(*value, [&](const json& leaf) {
        return std::any_of(values.begin(), values.end(), [&](const ValueMatcher& matcher) {
          return test_leaf(matcher, leaf, model);
        });
      });
  if (found) return true;
  // No leaf matched: only `exists: false` can still match, and only when there is no leaf.
  const bool wants_absent = std::any_of(values.begin(), values.end(), [](const ValueMatcher& m) {
    return m.kind == ValueMatcher::Kind::kExists && !m.exists;
  });
  return wants_absent && (value == nullptr || !any_leaf(*value, [](const json&) { return true; }));
}

const json& empty_object() {
  static const json empty = json::object();
  return empty;
}

bool match_nested(const ObjectPattern& pattern, const json* value, const NumberModel& model) {
  if (value != nullptr && value->is_array()) {
    bool saw_object = false;
    if (any_object(*value, saw_object,
                   [&](const json& element) { return match_object(pattern, element, model); })) {
      return true;
    }
    if (saw_object) return false;
  }
  // A missing field, a scalar, or an array without objects: nothing below it exists.
  return match_object(pattern, value != nullptr && value->is_object() ? *value : empty_object(),
                      model);
}

}  // namespace

std::optional<std::int64_t> comparable_number(double value, const NumberModel& model) {
  if (!(std::fabs(value) <= model.limit)) return std::nullopt;
  return std::llround(value * scale_of(model));
}

std::int64_t comparable_bound(double value, const NumberModel& model) {
  // One step beyond the range is enough to keep a far bound beyond every comparable value.
  const double clamped = std::clamp(value, -2 * model.limit, 2 * model.limit);
  return std::llround(clamped * scale_of(model));
}

bool Wildcard::matches(std::string_view text) const {
  // Literal runs between stars: the first anchors the start, the last the end, and the middle
  // ones are found left to right (the leftmost match is always safe with `*` only).
  if (pieces.size() == 1) return text == pieces[0];
  const std::string& first = pieces.front();
  const std::string& last = pieces.back();
  if (text.size() < first.size() + last.size()) return false;
  if (text.substr(0, first.size()) != first) return false;
  if (text.substr(text.size() - last.size()) != last) return false;
  size_t position = first.size();
  const size_t end = text.size() - last.size();
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    const auto found = text.substr(0, end).find(pieces[i], position);
    if (found == std::string_view::npos) return false;
    position = found + pieces[i].size();
  }
  return true;
}

bool Cidr::contains(std::string_view text) const {
  std::array<std::uint8_t, 16> address{};
  const std::string value(text);
  if (inet_pton(v6 ? AF_INET6 : AF_INET, value.c_str(), address.data()) != 1) return false;
  const int full = bits / 8;
  if (!std::equal(address.begin(), address.begin() + full, this->address.begin())) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (address[full] & mask) == (this->address[full] & mask);
}

bool StringTest::matches(std::string_view value) const {
  switch (kind) {
    case Kind::kEquals:
      return ignore_case ? equal_ignoring_case(value, text) : value == text;
    case Kind::kPrefix:
      return value.size() >= text.size() &&
             (ignore_case ? equal_ignoring_case(value.substr(0, text.size()), text)
                          : value.substr(0, text.size()) == text);
    case Kind::kSuffix:
      return value.size() >= text.size() &&
             (ignore_case ? equal_ignoring_case(value.substr(value.size() - text.size()), text)
                          : value.substr(value.size() - text.size()) == text);
    case Kind::kWildcard:
      return wildcard.matches(value);
  }
  return false;
}

bool match_object(const ObjectPattern& pattern, const json& value, const NumberModel& model,
                  std::string_view override_key, const json* override_value) {
  const bool is_object = value.is_object();
  for (const FieldPattern& field : pattern.fields) {
    const json* child = nullptr;
    if (override_value != nullptr && field.key == override_key) {
      child = override_value;
    } else if (is_object) {
      const auto found = value.find(field.key);
      if (found != value.end()) child = &*found;
    }
    const bool matched = field.object ? match_nested(*field.object, child, model)
                                      : match_leaf_field(field.values, child, model);
    if (!matched) return false;
  }
  for (const auto& branches : pattern.ors) {
    const bool any = std::any_of(branches.begin(), branches.end(), [&](const ObjectPattern& b) {
      return match_object(b, value, model, override_key, override_value);
    });
    if (!any) return false;
  }
  return true;
}

}  // namespace lambdad::events::detail
