#pragma once
/// @brief The IAM policy a Lambda authorizer returns (`policyDocument`), evaluated as API Gateway
/// evaluates it against a request's method ARN: a statement whose Deny covers the request wins;
/// else one whose Allow covers it lets the request through; else the request is implicitly denied.
///
/// A statement covers the request when its `Action` (or `NotAction`) covers `execute-api:Invoke`
/// and its `Resource` (or `NotResource`) covers the method ARN. `*` matches any run of characters
/// (`/` included), `?` any one; actions compare without case, resources with.
///
/// Thread safety: plain values and pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lambdad::gateway {

struct PolicyStatement {
  bool allow = false;
  bool not_action = false;  ///< `NotAction`: covers the actions it does not list
  std::vector<std::string> actions;
  bool not_resource = false;  ///< `NotResource`: covers the resources it does not list
  std::vector<std::string> resources;
};

struct IamPolicy {
  std::vector<PolicyStatement> statements;
};

enum class PolicyDecision { kAllow, kExplicitDeny, kImplicitDeny };

/// `policyDocument`: an object whose `Statement` is a statement or a list of them, each with
/// `Effect` (Allow / Deny), `Action` or `NotAction`, `Resource` or `NotResource` (a string or a
/// list of strings). nullopt when malformed, with `why` set.
std::optional<IamPolicy> parse_policy(const nlohmann::json& document, std::string& why);

PolicyDecision evaluate_policy(const IamPolicy& policy, std::string_view method_arn);

/// `*` / `?` wildcard matching of the whole text.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

}  // namespace lambdad::gateway
