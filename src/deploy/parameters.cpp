#include "parameters.hpp"

#include <set>
#include "lambdad/common/regex.hpp"

namespace lambdad::deploy {

namespace {

const std::set<std::string, std::less<>> kParameterKeys = {
    "Type",        "Default",   "AllowedValues", "AllowedPattern", "ConstraintDescription",
    "Description", "MaxLength", "MaxValue",      "MinLength",      "MinValue",
    "NoEcho"};

bool is_alphanumeric(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

bool is_list_type(std::string_view type) {
  return type == "CommaDelimitedList" || type.starts_with("List<") ||
         type.starts_with("AWS::SSM::Parameter::Value<List<");
}

bool is_known_type(std::string_view type) {
  return type == "String" || type == "Number" || type == "CommaDelimitedList" ||
         type == "List<Number>" || type.starts_with("AWS::") || type.starts_with("List<AWS::");
}

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

/// A parameter's value as Ref gives it: a list for list types, a number-typed scalar for Number.
Node typed_value(const std::string& type, const std::string& text, int line) {
  if (!is_list_type(type)) return Node::scalar(text, line, type != "Number");
  Node list = Node::list(line);
  size_t pos = 0;
  for (size_t comma; (comma = text.find(',', pos)) != std::string::npos; pos = comma + 1) {
    list.items.push_back(Node::scalar(trim(text.substr(pos, comma - pos)), line));
  }
  list.items.push_back(Node::scalar(trim(text.substr(pos)), line));
  return list;
}

std::optional<double> number(const std::string& text) {
  static const std::regex pattern(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (!std::regex_match(text, pattern)) return std::nullopt;
  return std::stod(text);
}

class ParameterReader {
 public:
  ParameterReader(const std::string& name, const Node& spec, Problems& problems)
      : name_(name), spec_(spec), problems_(problems) {}

  std::optional<ParameterValue> read(const std::map<std::string, std::string>& overrides) {
    if (!spec_.is_map()) return error(spec_.line, "must be a map with a Type"), std::nullopt;
    bool ok = check_keys();
    const Node* type = spec_.find("Type");
    if (!type || !type->is_scalar()) return error(spec_.line, "Type is required"), std::nullopt;
    if (!is_known_type(type->text)) {
      return error(type->line, "unknown Type '" + type->text + "'"), std::nullopt;
    }
    ParameterValue result{.type = type->text, .line = spec_.line};
    auto text = value_text(overrides);
    if (!text) {
      result.missing_reason = missing_reason(type->text);
      return ok ? std::optional(result) : std::nullopt;
    }
    result.value = typed_value(type->text, *text, spec_.line);
    ok = check_value(*result.value, overrides.contains(name_)) && ok;
    return ok ? std::optional(result) : std::nullopt;
  }

 private:
  void error(int line, const std::string& message) {
    problems_.error(line, "parameter '" + name_ + "': " + message);
  }

  bool check_keys() {
    bool ok = true;
    for (const auto& entry : spec_.entries) {
      if (kParameterKeys.contains(entry.key)) continue;
      error(entry.value.line, "unknown property '" + entry.key + "'");
      ok = false;
    }
    return ok;
  }

  std::optional<std::string> value_text(const std::map<std::string, std::string>& overrides) {
    if (auto it = overrides.find(name_); it != overrides.end()) return it->second;
    // An SSM parameter's Default is the name of the SSM parameter, not its value.
    if (spec_.find("Type")->text.starts_with("AWS::SSM::")) return std::nullopt;
    const Node* fallback = spec_.find("Default");
    if (!fallback || fallback->is_null()) return std::nullopt;
    if (fallback->is_scalar()) return fallback->text;
    if (fallback->is_list()) {  // sam accepts a YAML list as a CommaDelimitedList default
      std::string joined;
      for (const Node& item : fallback->items) joined += (joined.empty() ? "" : ",") + item.text;
      return joined;
    }
    error(fallback->line, "Default must be a string, got " + describe(*fallback));
    return std::nullopt;
  }

  static std::string missing_reason(const std::string& type) {
    if (type.starts_with("AWS::SSM::Parameter::Value")) {
      return "is read from SSM Parameter Store, which lambdad does not do: give it a value with "
             "a parameter override";
    }
    return "has no Default and no override";
  }

  bool check_value(const Node& value, bool overridden) {
    const std::string origin = overridden ? " (from the overrides)" : "";
    bool ok = true;
    const std::vector<Node> items = value.is_list() ? value.items : std::vector<Node>{value};
    for (const Node& item : items) ok = check_item(item.text, origin) && ok;
    return ok;
  }

  bool check_item(const std::string& text, const std::string& origin) {
    const std::string shown = "value '" + text + "'" + origin;
    const bool numeric =
        spec_.find("Type")->text == "Number" || spec_.find("Type")->text == "List<Number>";
    if (numeric && !number(text)) return fail(shown + " is not a number");
    if (const Node* allowed = spec_.find("AllowedValues");
        allowed && !allowed_contains(*allowed, text)) {
      return fail(shown + " is not one of the AllowedValues");
    }
    if (const Node* pattern = spec_.find("AllowedPattern"); pattern && pattern->is_scalar()) {
      if (!matches(pattern->text, text)) {
        return fail(shown + " does not match AllowedPattern " + pattern->text);
      }
    }
    return check_bounds(text, shown, numeric);
  }

  bool check_bounds(const std::string& text, const std::string& shown, bool numeric) {
    auto bound = [&](const char* key) -> std::optional<double> {
      const Node* node = spec_.find(key);
      return node && node->is_scalar() ? number(node->text) : std::nullopt;
    };
    const double size = numeric ? number(text).value_or(0) : static_cast<double>(text.size());
    const char* low_key = numeric ? "MinValue" : "MinLength";
    const char* high_key = numeric ? "MaxValue" : "MaxLength";
    if (auto low = bound(low_key); low && size < *low) {
      return fail(shown + " is below " + low_key + " " + spec_.find(low_key)->text);
    }
    if (auto high = bound(high_key); high && size > *high) {
      return fail(shown + " is above " + high_key + " " + spec_.find(high_key)->text);
    }
    return true;
  }

  bool matches(const std::string& pattern, const std::string& text) {
    try {
      return std::regex_match(text, std::regex(pattern));
    } catch (const std::regex_error&) {
      error(spec_.find("AllowedPattern")->line, "AllowedPattern is not a valid regular expression");
      return true;
    }
  }

  static bool allowed_contains(const Node& allowed, const std::string& text) {
    if (!allowed.is_list()) return true;
    return std::any_of(allowed.items.begin(), allowed.items.end(),
                       [&](const Node& item) { return item.text == text; });
  }

  bool fail(std::string message) {
    if (const Node* why = spec_.find("ConstraintDescription"); why && why->is_scalar()) {
      message += " (" + why->text + ")";
    }
    error(spec_.line, message);
    return false;
  }

  const std::string& name_;
  const Node& spec_;
  Problems& problems_;
};

}  // namespace

bool is_overridable_pseudo_parameter(std::string_view name) {
  return name == "AWS::StackName" || name == "AWS::Region" || name == "AWS::AccountId" ||
         name == "AWS::Partition" || name == "AWS::URLSuffix" || name == "AWS::StackId";
}

std::map<std::string, ParameterValue> read_parameters(
    const Node* section, const std::map<std::string, std::string>& overrides, Problems& problems) {
  std::map<std::string, ParameterValue> values;
  if (section && !section->is_map() && !section->is_null()) {
    problems.error(section->line, "Parameters must be a map");
    return values;
  }
  const std::vector<NodeEntry> none;
  for (const auto& [name, spec] : section ? section->entries : none) {
    if (!is_alphanumeric(name)) {
      problems.error(spec.line, "parameter '" + name + "': the name must be alphanumeric");
    }
    if (auto value = ParameterReader(name, spec, problems).read(overrides)) {
      values.emplace(name, *std::move(value));
    } else {
      // Already reported; an Invalid value keeps the uses of it from adding more errors.
      values.emplace(name, ParameterValue{.value = Node::invalid(spec.line)});
    }
  }
  for (const auto& [name, value] : overrides) {
    if (values.contains(name) || is_overridable_pseudo_parameter(name)) continue;
    problems.error(
        section ? section->line : 0,
        "parameter override '" + name + "' does not match any parameter of the template");
  }
  return values;
}

}  // namespace lambdad::deploy
