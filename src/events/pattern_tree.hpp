#pragma once
// The compiled form of an event pattern (private to the events module): a tree of object
// patterns whose leaves are lists of value matchers, built by pattern_compiler.cpp and walked by
// pattern_matcher.cpp.

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lambdad::events::detail {

/// How a service compares numbers. Event Ruler turns every number within ±limit into a
/// fixed-point integer with `decimals` digits after the point and compares those: so, surprisingly,
/// 1.0000001 equals 1 on EventBridge (6 decimals), and an event value beyond the limit never
/// satisfies a `numeric` condition.
struct NumberModel {
  double limit;
  int decimals;
  std::string limit_text;  ///< for error messages, as AWS prints it ("5.0E9")
};

/// The fixed-point form of `value`, when it is within the model's range.
std::optional<std::int64_t> comparable_number(double value, const NumberModel& model);
/// The fixed-point form of a range bound, clamped (a bound beyond the range stays beyond it).
std::int64_t comparable_bound(double value, const NumberModel& model);

/// `*` globs; `\*` and `\\` are a literal star and backslash. `pieces` are the literal runs
/// between stars, so a pattern with n stars has n + 1 pieces.
struct Wildcard {
  std::vector<std::string> pieces;
  bool matches(std::string_view text) const;
};

struct Cidr {
  bool v6 = false;
  std::array<std::uint8_t, 16> address{};
  int bits = 0;
  bool contains(std::string_view text) const;
};

/// One string condition: equality, prefix, suffix or wildcard, optionally ignoring case (ASCII
/// letters; `text` is then stored lower-cased).
struct StringTest {
  enum class Kind { kEquals, kPrefix, kSuffix, kWildcard };
  Kind kind = Kind::kEquals;
  bool ignore_case = false;
  std::string text;
  Wildcard wildcard;
  bool matches(std::string_view value) const;
};

struct NumericRange {
  bool has_low = false, low_open = false, has_high = false, high_open = false;
  std::int64_t low = 0, high = 0;
};

/// One element of a field's value list.
struct ValueMatcher {
  enum class Kind {
    kExact,        ///< `exact` (string, number, boolean or null)
    kString,       ///< strings[0]: prefix, suffix, equals-ignore-case, wildcard
    kAnythingBut,  ///< any leaf that none of `strings` / `numbers` matches
    kNumeric,      ///< `range`
    kExists,       ///< `exists`
    kCidr,         ///< `cidr`
  };
  Kind kind = Kind::kExact;
  nlohmann::json exact;
  std::optional<std::int64_t> exact_number;  ///< fixed-point form of a numeric `exact`
  std::vector<StringTest> strings;
  std::vector<nlohmann::json> numbers;  ///< anything-but numbers
  NumericRange range;
  bool exists = false;
  Cidr cidr;
};

struct ObjectPattern;

struct FieldPattern {
  std::string key;
  std::vector<ValueMatcher> values;       ///< a leaf field: one of these must match
  std::unique_ptr<ObjectPattern> object;  ///< or a nested object (then `values` is empty)
};

/// Every field must match, and in each `$or` group at least one branch.
struct ObjectPattern {
  std::vector<FieldPattern> fields;
  std::vector<std::vector<ObjectPattern>> ors;
};

/// Matches `value` (an object; anything else is matched as an empty object: every field is then
/// absent). `override_key` / `override_value`, when set, replace one top-level member (the SQS
/// record's `body` read as JSON) without copying the document.
bool match_object(const ObjectPattern& pattern, const nlohmann::json& value,
                  const NumberModel& numbers, std::string_view override_key = {},
                  const nlohmann::json* override_value = nullptr);

/// What a service accepts beyond the common grammar.
struct Dialect {
  NumberModel numbers;
  bool check_number_limits = true;  ///< `numeric` / anything-but operands within ±limit
  bool wildcard = true;
  bool anything_but_beyond_prefix = true;  ///< anything-but suffix, equals-ignore-case, wildcard
  bool ignore_case_prefix_suffix = true;   ///< {"prefix": {"equals-ignore-case": …}}
  bool nesting = true;
};

/// A malformed pattern: `reason` is the service-independent part of the message. `whole` marks
/// reasons that are a whole message for SNS (no "FilterPolicy: " before them).
struct PatternError {
  std::string reason;
  bool whole = false;
};

/// Patterns nest at most this deep (objects and arrays): AWS states no limit, but its quotas
/// (2048 characters on EventBridge) make deeper ones useless, and the compiler recurses.
inline constexpr int kMaxPatternDepth = 64;

/// Compiles a pattern object; throws PatternError.
ObjectPattern compile_object(const nlohmann::json& pattern, const Dialect& dialect);

/// True when `json_text` nests brackets deeper than `limit` (strings skipped), checked before
/// parsing so that nothing recursive ever sees such a document.
bool nests_deeper_than(std::string_view json_text, int limit);

}  // namespace lambdad::events::detail
