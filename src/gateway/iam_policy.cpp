#include "lambdad/gateway/iam_policy.hpp"

#include <cctype>

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

constexpr std::string_view kInvoke = "execute-api:Invoke";

bool same_char(char a, char b, bool ignore_case) {
  if (!ignore_case) return a == b;
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_char(a[i], b[i], true)) return false;
  }
  return true;
}

/// A string or a non-empty list of strings (an empty list covers nothing, and IAM refuses it).
bool read_strings(const json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
    return true;
  }
  if (!value.is_array() || value.empty()) return false;
  for (const json& item : value) {
    if (!item.is_string()) return false;
    out.push_back(item.get<std::string>());
  }
  return true;
}

/// `Key` or `NotKey` of a statement; false when neither or both are there, or malformed.
bool read_either(const json& statement, const char* key, const char* not_key, bool& negated,
                 std::vector<std::string>& out) {
  const bool has = statement.contains(key), has_not = statement.contains(not_key);
  if (has == has_not) return false;
  negated = has_not;
  return read_strings(statement.at(has ? key : not_key), out);
}

std::optional<PolicyStatement> read_statement(const json& statement, std::string& why) {
  if (!statement.is_object()) {
    why = "a Statement entry is not an object";
    return std::nullopt;
  }
  PolicyStatement out;
  auto effect = statement.find("Effect");
  const std::string effect_text =
      effect != statement.end() && effect->is_string() ? effect->get<std::string>() : "";
  out.allow = equals_ignoring_case(effect_text, "Allow");
  if (!out.allow && !equals_ignoring_case(effect_text, "Deny")) {
    why = "a statement's Effect is not Allow or Deny";
    return std::nullopt;
  }
  if (!read_either(statement, "Action", "NotAction", out.not_action, out.actions)) {
    why = "a statement needs an Action (or NotAction): a string or a list of strings";
    return std::nullopt;
  }
  if (!read_either(statement, "Resource", "NotResource", out.not_resource, out.resources)) {
    why = "a statement needs a Resource (or NotResource): a string or a list of strings";
    return std::nullopt;
  }
  return out;
}

bool any_match(const std::vector<std::string>& patterns, std::string_view text, bool ignore_case) {
  for (const auto& pattern : patterns) {
    if (wildcard_match(pattern, text, ignore_case)) return true;
  }
  return false;
}

bool covers(const PolicyStatement& statement, std::string_view method_arn) {
  const bool action = any_match(statement.actions, kInvoke, true) != statement.not_action;
  const bool resource = any_match(statement.resources, method_arn, false) != statement.not_resource;
  return action && resource;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  // A greedy scan that backtracks to the last `*` on a mismatch: never exponential.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() &&
               (pattern[p] == '?' || same_char(pattern[p], text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<IamPolicy> parse_policy(const json& document, std::string& why) {
  if (!document.is_object()) {
    why = "policyDocument is not an object";
    return std::nullopt;
  }
  auto statements = document.find("Statement");
  if (statements == document.end()) {
    why = "policyDocument has no Statement";
    return std::nullopt;
  }
  IamPolicy policy;
  const json list = statements->is_array() ? *statements : json::array({*statements});
  for (const json& statement : list) {
    auto parsed = read_statement(statement, why);
    if (!parsed) return std::nullopt;
    policy.statements.push_back(std::move(*parsed));
  }
  return policy;
}

PolicyDecision evaluate_policy(const IamPolicy& policy, std::string_view method_arn) {
  bool allowed = false;
  for (const auto& statement : policy.statements) {
    if (!covers(statement, method_arn)) continue;
    if (!statement.allow) return PolicyDecision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? PolicyDecision::kAllow : PolicyDecision::kImplicitDeny;
}

}  // namespace lambdad::gateway
