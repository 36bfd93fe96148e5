// Event pattern JSON to the matcher tree, with Event Ruler's validation and messages (the engine
// behind EventBridge, SNS filter policies and Lambda filters), so a pattern AWS refuses is refused
// here with the same reason.

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include "pattern_tree.hpp"

namespace lambdad::events::detail {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(std::string reason) {
  throw PatternError{std::move(reason)};
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const json& only_member(const json& expression, std::string& name) {
  if (expression.empty()) fail("Match expression name not found");
  if (expression.size() > 1) fail("Only one key allowed in match expression");
  name = expression.begin().key();
  return expression.begin().value();
}

StringTest string_test(StringTest::Kind kind, std::string_view text, bool ignore_case) {
  StringTest test;
  test.kind = kind;
  test.ignore_case = ignore_case;
  test.text = ignore_case ? lower_ascii(text) : std::string(text);
  return test;
}

// Wildcards: at most one star in a row, and a backslash escapes only a star or a backslash.
Wildcard parse_wildcard(std::string_view text) {
  Wildcard wildcard;
  std::string piece;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size() || (text[i + 1] != '*' && text[i + 1] != '\\')) {
        fail("Invalid escape character at pos " + std::to_string(i));
      }
      piece += text[++i];
    } else if (c == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*') {
        fail("Consecutive wildcard characters at pos " + std::to_string(i + 1));
      }
      wildcard.pieces.push_back(std::move(piece));
      piece.clear();
    } else {
      piece += c;
    }
  }
  wildcard.pieces.push_back(std::move(piece));
  return wildcard;
}

StringTest wildcard_test(std::string_view text) {
  StringTest test;
  test.kind = StringTest::Kind::kWildcard;
  test.text = std::string(text);
  test.wildcard = parse_wildcard(text);
  return test;
}

// `cidr`: "10.0.0.0/24" or "2001:db8::/32"; Event Ruler's messages.
Cidr parse_cidr(const json& operand) {
  // Event Ruler's message for a non-string cidr names prefix (its code reuses the check).
  if (!operand.is_string()) fail("prefix match pattern must be a string");
  const auto& text = operand.get_ref<const std::string&>();
  const auto slash = text.find('/');
  if (slash == std::string::npos || text.find('/', slash + 1) != std::string::npos) {
    fail("Malformed CIDR, one '/' required");
  }
  const std::string address = text.substr(0, slash);
  const std::string_view bits_text = std::string_view(text).substr(slash + 1);
  Cidr cidr;
  const auto [end, error] =
      std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), cidr.bits);
  if (bits_text.empty() || error != std::errc() || end != bits_text.data() + bits_text.size()) {
    fail("Malformed CIDR, mask bits must be an integer");
  }
  if (inet_pton(AF_INET, address.c_str(), cidr.address.data()) == 1) {
    cidr.v6 = false;
  } else if (inet_pton(AF_INET6, address.c_str(), cidr.address.data()) == 1) {
    cidr.v6 = true;
  } else {
    fail("Nonstandard IP address: " + address);
  }
  const int max_bits = cidr.v6 ? 128 : 32;
  if (cidr.bits < 0 || cidr.bits > max_bits) {
    fail("Malformed CIDR, mask bits must be between 0 and " + std::to_string(max_bits));
  }
  return cidr;
}

double number_operand(const json& value, const Dialect& dialect) {
  const double number = value.get<double>();
  if (dialect.check_number_limits && !(std::fabs(number) <= dialect.numbers.limit)) {
    fail("Value must be between -" + dialect.numbers.limit_text + " and " +
         dialect.numbers.limit_text + ", inclusive");
  }
  return number;
}

// `numeric`: ["=", x], [">" | ">=", x], ["<" | "<=", x], or [">" | ">=", x, "<" | "<=", y].
NumericRange parse_numeric(const json& operand, const Dialect& dialect) {
  if (!operand.is_array()) fail("Value of numeric must be an array.");
  if (operand.empty() || !operand[0].is_string()) {
    fail("Invalid member in numeric match: " +
         (operand.empty() ? "]" : operand[0].dump(-1, ' ', false, json::error_handler_t::replace)));
  }
  const std::string op = operand[0].get<std::string>();
  if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
    fail("Unrecognized numeric range operator: " + op);
  }
  if (operand.size() < 2 || !operand[1].is_number()) {
    fail("Value of " + (op == "=" ? std::string("equals") : op) + " must be numeric");
  }
  const double first = number_operand(operand[1], dialect);
  NumericRange range;
  const auto bound = [&](double value) { return comparable_bound(value, dialect.numbers); };
  if (op == "=") {
    range.has_low = range.has_high = true;
    range.low = range.high = bound(first);
  } else if (op == "<" || op == "<=") {
    range.has_high = true;
    range.high_open = op == "<";
    range.high = bound(first);
  } else {
    range.has_low = true;
    range.low_open = op == ">";
    range.low = bound(first);
  }
  if (operand.size() == 2) return range;
  if (op != ">" && op != ">=") fail("Too many elements in numeric expression");
  if (!operand[2].is_string())
    fail("Bad value in numeric range: " +
         operand[2].dump(-1, ' ', false, json::error_handler_t::replace));
  const std::string top_op = operand[2].get<std::string>();
  if (top_op != "<" && top_op != "<=") fail("Bad numeric range operator: " + top_op);
  if (operand.size() < 4 || !operand[3].is_number())
    fail("Value of " + top_op + " must be numeric");
  if (operand.size() > 4) fail("Too many terms in numeric range expression");
  const double top = number_operand(operand[3], dialect);
  if (!(first < top)) fail("Bottom must be less than top");
  range.has_high = true;
  range.high_open = top_op == "<";
  range.high = bound(top);
  return range;
}

// The operand of prefix / suffix: a string, or {"equals-ignore-case": string}.
StringTest affix_test(StringTest::Kind kind, const std::string& name, const json& operand,
                      const Dialect& dialect) {
  if (operand.is_string()) return string_test(kind, operand.get_ref<const std::string&>(), false);
  if (operand.is_object() && dialect.ignore_case_prefix_suffix && operand.size() == 1 &&
      operand.contains("equals-ignore-case")) {
    const json& text = operand["equals-ignore-case"];
    if (!text.is_string()) fail("equals-ignore-case match pattern must be a string");
    return string_test(kind, text.get_ref<const std::string&>(), true);
  }
  fail(name + " match pattern must be a string");
}

ValueMatcher parse_anything_but(const json& operand, const Dialect& dialect) {
  ValueMatcher matcher;
  matcher.kind = ValueMatcher::Kind::kAnythingBut;
  if (operand.is_object()) {
    if (operand.empty()) fail("Anything-But expression name not found");
    std::string inner;
    const json& value = only_member(operand, inner);
    if (inner == "prefix" || inner == "suffix") {
      if (inner == "suffix" && !dialect.anything_but_beyond_prefix) {
        fail("Unsupported anything-but pattern: " + inner);
      }
      if (!value.is_string()) fail("prefix/suffix match pattern must be a string");
      if (value.get_ref<const std::string&>().empty()) fail("Null prefix/suffix not allowed");
      matcher.strings.push_back(
          string_test(inner == "prefix" ? StringTest::Kind::kPrefix : StringTest::Kind::kSuffix,
                      value.get_ref<const std::string&>(), false));
      return matcher;
    }
    if (dialect.anything_but_beyond_prefix &&
        (inner == "equals-ignore-case" || inner == "wildcard")) {
      if (inner == "wildcard" && !dialect.wildcard) {
        fail("Unsupported anything-but pattern: " + inner);
      }
      const bool wildcard = inner == "wildcard";
      const auto add = [&](const json& text) {
        if (!text.is_string()) {
          fail("Inside anything-but/" + inner +
               " list, number|start|null|boolean is not supported.");
        }
        matcher.strings.push_back(wildcard ? wildcard_test(text.get_ref<const std::string&>())
                                           : string_test(StringTest::Kind::kEquals,
                                                         text.get_ref<const std::string&>(), true));
      };
      if (value.is_array()) {
        if (value.empty()) fail("Empty arrays are not allowed");
        for (const json& text : value) add(text);
      } else {
        add(value);
      }
      return matcher;
    }
    fail("Unsupported anything-but pattern: " + inner);
  }
  if (operand.is_string()) {
    matcher.strings.push_back(
        string_test(StringTest::Kind::kEquals, operand.get_ref<const std::string&>(), false));
    return matcher;
  }
  if (operand.is_number()) {
    number_operand(operand, dialect);
    matcher.numbers.push_back(operand);
    return matcher;
  }
  if (!operand.is_array()) {
    fail("Value of anything-but must be an array or single string/number value.");
  }
  bool strings = false, numbers = false;
  for (const json& value : operand) {
    if (value.is_string()) {
      strings = true;
      matcher.strings.push_back(
          string_test(StringTest::Kind::kEquals, value.get_ref<const std::string&>(), false));
    } else if (value.is_number()) {
      numbers = true;
      number_operand(value, dialect);
      matcher.numbers.push_back(value);
    } else {
      fail("Inside anything but list, start|null|boolean is not supported.");
    }
  }
  if (strings == numbers) {
    fail(
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported");
  }
  return matcher;
}

ValueMatcher parse_expression(const json& expression, const Dialect& dialect) {
  std::string name;
  const json& operand = only_member(expression, name);
  ValueMatcher matcher;
  if (name == "prefix" || name == "suffix") {
    matcher.kind = ValueMatcher::Kind::kString;
    matcher.strings.push_back(
        affix_test(name == "prefix" ? StringTest::Kind::kPrefix : StringTest::Kind::kSuffix, name,
                   operand, dialect));
  } else if (name == "equals-ignore-case") {
    if (!operand.is_string()) fail("equals-ignore-case match pattern must be a string");
    matcher.kind = ValueMatcher::Kind::kString;
    matcher.strings.push_back(
        string_test(StringTest::Kind::kEquals, operand.get_ref<const std::string&>(), true));
  } else if (name == "wildcard" && dialect.wildcard) {
    if (!operand.is_string()) fail("wildcard match pattern must be a string");
    matcher.kind = ValueMatcher::Kind::kString;
    matcher.strings.push_back(wildcard_test(operand.get_ref<const std::string&>()));
  } else if (name == "anything-but") {
    matcher = parse_anything_but(operand, dialect);
  } else if (name == "numeric") {
    matcher.kind = ValueMatcher::Kind::kNumeric;
    matcher.range = parse_numeric(operand, dialect);
  } else if (name == "exists") {
    if (!operand.is_boolean()) fail("exists match pattern must be either true or false.");
    matcher.kind = ValueMatcher::Kind::kExists;
    matcher.exists = operand.get<bool>();
  } else if (name == "cidr") {
    matcher.kind = ValueMatcher::Kind::kCidr;
    matcher.cidr = parse_cidr(operand);
  } else {
    fail("Unrecognized match type " + name);
  }
  return matcher;
}

std::vector<ValueMatcher> compile_values(const json& list, const Dialect& dialect) {
  if (list.empty()) fail("Empty arrays are not allowed");
  std::vector<ValueMatcher> values;
  values.reserve(list.size());
  for (const json& element : list) {
    if (element.is_object()) {
      values.push_back(parse_expression(element, dialect));
    } else if (element.is_array() || element.is_binary() || element.is_discarded()) {
      fail("Match value must be String, number, true, false, or null");
    } else {
      ValueMatcher exact;
      exact.kind = ValueMatcher::Kind::kExact;
      exact.exact = element;
      // A number also matches the same value written differently (5, 5.0, 5e0), through its
      // fixed-point form; beyond the range (an account id) only the same number does.
      if (element.is_number()) {
        exact.exact_number = comparable_number(element.get<double>(), dialect.numbers);
      }
      values.push_back(std::move(exact));
    }
  }
  return values;
}

// Event Ruler's names, which may not be field names inside `$or` (they would read as operators).
bool reserved_in_or(const std::string& name) {
  return name == "anything-but" || name == "numeric" || name == "prefix" || name == "suffix" ||
         name == "exists" || name == "cidr" || name == "equals-ignore-case" || name == "wildcard" ||
         name == "exact";
}

ObjectPattern compile_object_at(const json& pattern, const Dialect& dialect, bool inside_or) {
  if (pattern.empty()) fail("Empty objects are not allowed");
  ObjectPattern object;
  for (const auto& [key, value] : pattern.items()) {
    if (key == "$or") {
      if (!value.is_array()) fail("It must be an Array followed with $or.");
      std::vector<ObjectPattern> branches;
      for (const json& branch : value) {
        if (!branch.is_object()) fail("Only JSON object is allowed in array of $or relationship.");
        branches.push_back(compile_object_at(branch, dialect, true));
      }
      if (branches.size() < 2) fail("There must have at least 2 Objects in $or relationship.");
      object.ors.push_back(std::move(branches));
      continue;
    }
    if (inside_or && reserved_in_or(key)) {
      fail(key + " is Ruler reserved fieldName which cannot be used inside $or.");
    }
    FieldPattern field;
    field.key = key;
    if (value.is_object()) {
      if (!dialect.nesting) {
        throw PatternError{
            "Filter policy scope MessageAttributes does not support nested filter policy", true};
      }
      field.object = std::make_unique<ObjectPattern>(compile_object_at(value, dialect, inside_or));
    } else if (value.is_array()) {
      field.values = compile_values(value, dialect);
    } else {
      fail("\"" + key + "\" must be an object or an array");
    }
    object.fields.push_back(std::move(field));
  }
  return object;
}

}  // namespace

ObjectPattern compile_object(const json& pattern, const Dialect& dialect) {
  if (!pattern.is_object()) fail("Filter is not an object");
  return compile_object_at(pattern, dialect, false);
}

bool nests_deeper_than(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

}  // namespace lambdad::events::detail
