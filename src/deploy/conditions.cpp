#include <utility>

#include "intrinsics.hpp"

namespace lambdad::deploy {

bool Resolver::has_condition(const std::string& name) const {
  return inputs_.conditions && inputs_.conditions->is_map() && inputs_.conditions->find(name);
}

std::optional<bool> Resolver::condition(const std::string& name, int line, const std::string& who) {
  if (auto it = condition_values_.find(name); it != condition_values_.end()) return it->second;
  if (!has_condition(name)) {
    problems_.error(line, (who.empty() ? "" : who + ": ") + "unknown condition '" + name + "'");
    return std::nullopt;
  }
  if (!conditions_in_progress_.insert(name).second) {
    problems_.error(line, "condition '" + name + "' depends on itself");
    return std::nullopt;
  }
  const std::string saved = std::exchange(who_, "condition '" + name + "'");
  auto value = evaluate(*inputs_.conditions->find(name));
  who_ = saved;
  conditions_in_progress_.erase(name);
  if (value) condition_values_[name] = *value;
  return value;
}

std::optional<bool> Resolver::evaluate(const Node& expression) {
  if (expression.is_invalid()) return std::nullopt;
  if (expression.is_map() && expression.entries.size() == 1) {
    const auto& [function, arg] = expression.entries.front();
    if (function == "Condition") {
      if (!arg.is_scalar()) {
        fail(expression.line, "Condition needs the name of a condition");
        return std::nullopt;
      }
      return condition(arg.text, expression.line, who_);
    }
    return evaluate_function(function, arg, expression.line);
  }
  fail(expression.line,
       "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, got " +
           describe(expression));
  return std::nullopt;
}

std::optional<bool> Resolver::evaluate_function(const std::string& function, const Node& arg,
                                                int line) {
  if (function == "Fn::Equals") return evaluate_equals(arg, line);
  const bool is_not = function == "Fn::Not";
  if (!is_not && function != "Fn::And" && function != "Fn::Or") {
    fail(line,
         "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, got " + function);
    return std::nullopt;
  }
  auto values = evaluate_operands(arg, line, function, is_not ? 1 : 2, is_not ? 1 : 10);
  if (!values) return std::nullopt;
  if (is_not) return !values->front();
  const bool want = function == "Fn::Or";
  for (bool value : *values) {
    if (value == want) return want;
  }
  return !want;
}

std::optional<std::vector<bool>> Resolver::evaluate_operands(const Node& arg, int line,
                                                             std::string_view function, size_t min,
                                                             size_t max) {
  const Node* args = arguments(arg, line, function, min, max);
  if (!args) return std::nullopt;
  std::vector<bool> values;
  bool ok = true;
  for (const Node& operand : args->items) {
    auto value = evaluate(operand);
    ok = ok && value.has_value();
    values.push_back(value.value_or(false));
  }
  return ok ? std::optional(values) : std::nullopt;
}

std::optional<bool> Resolver::evaluate_equals(const Node& arg, int line) {
  const Node* args = arguments(arg, line, "Fn::Equals", 2, 2);
  if (!args) return std::nullopt;
  const Node left = resolve_value(args->items[0], "Fn::Equals");
  const Node right = resolve_value(args->items[1], "Fn::Equals");
  if (left.is_invalid() || right.is_invalid()) return std::nullopt;
  if (left.unresolved || right.unresolved) {
    // sam local compares the unresolved intrinsic itself, which equals no string.
    const Node& unknown = left.unresolved ? left : right;
    problems_.warning(line, (who_.empty() ? "" : who_ + ": ") + "Fn::Equals " +
                                unresolved_reason(unknown) + "; it is taken as false");
    return false;
  }
  // CloudFormation compares the values as written: "1" equals 1.
  if (left.is_scalar() && right.is_scalar()) return left.text == right.text;
  return to_json(left) == to_json(right);
}

std::optional<Node> Resolver::fn_if(const Node& arg, int line) {
  const Node* args = arguments(arg, line, "Fn::If", 3, 3);
  if (!args) return Node::invalid(line);
  if (!args->items[0].is_scalar()) return fail(line, "Fn::If needs a condition name first");
  auto value = condition(args->items[0].text, line, who_);
  if (!value) return Node::invalid(line);
  return resolve_any(args->items[*value ? 1 : 2]);
}

std::optional<Node> Resolver::condition_as_value(const std::string& function, const Node& arg,
                                                 int line) {
  auto value = evaluate_function(function, arg, line);
  if (!value) return Node::invalid(line);
  return Node::scalar(*value ? "true" : "false", line, false);
}

std::optional<Node> Resolver::fn_equals(const Node& arg, int line) {
  return condition_as_value("Fn::Equals", arg, line);
}

std::optional<Node> Resolver::fn_not(const Node& arg, int line) {
  return condition_as_value("Fn::Not", arg, line);
}

std::optional<Node> Resolver::fn_and(const Node& arg, int line) {
  return condition_as_value("Fn::And", arg, line);
}

std::optional<Node> Resolver::fn_or(const Node& arg, int line) {
  return condition_as_value("Fn::Or", arg, line);
}

}  // namespace lambdad::deploy
