// AddPermission / RemovePermission / GetPolicy: statements kept per (function, qualifier) in
// registry_policies, returned as AWS returns them. lambdad does not evaluate them
// (docs/security.md).

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "registry_thread.hpp"
#include "stored_db.hpp"
#include "stored_state.hpp"

namespace lambdad::registry {
namespace {

constexpr size_t kMaxPolicyBytes = 20480;

std::string policy_key(const std::string& qualifier) {
  return qualifier == "$LATEST" ? "" : qualifier;
}

std::function<bool()> put_policy_job(RegistryDb* db, std::string name, std::string qualifier,
                                     Policy policy) {
  return
      [db, name = std::move(name), qualifier = std::move(qualifier), policy = std::move(policy)] {
        put_policy(db->db(), name, qualifier, policy);
        return true;
      };
}

// Not a lambda in the coroutine below: GCC 12 miscompiles lambdas written inside coroutines
// (registry.cpp).
void erase_statement(Policy& policy, const std::string& sid) {
  std::erase_if(policy.statements,
                [&](const nlohmann::json& s) { return s.value("Sid", "") == sid; });
}

void check_revision(const std::optional<Policy>& policy,
                    const std::optional<std::string>& revision_id) {
  if (!revision_id || revision_id->empty()) return;
  if (!policy || policy->revision_id != *revision_id) {
    throw AwsError(412, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the "
                   "GetPolicy API to retrieve the latest Revision Id",
                   AwsError::Key::kmessage);
  }
}

}  // namespace

std::optional<Policy> Registry::policy(const std::string& name,
                                       const std::string& qualifier) const {
  const auto it = stored_->policies.find({name, policy_key(qualifier)});
  if (it == stored_->policies.end()) return std::nullopt;
  return it->second;
}

boost::asio::awaitable<void> Registry::add_permission(std::string name, std::string qualifier,
                                                      nlohmann::json statement,
                                                      std::optional<std::string> revision_id) {
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  qualifier = policy_key(qualifier);
  const std::optional<Policy> before = policy(name, qualifier);
  check_revision(before, revision_id);
  const std::string sid = statement.value("Sid", "");
  Policy next = before.value_or(Policy{});
  for (const auto& existing : next.statements) {
    if (existing.value("Sid", "") == sid) {
      throw AwsError(409, "ResourceConflictException",
                     "The statement id (" + sid +
                         ") provided already exists. Please provide a "
                         "new statement id, or remove the existing statement.",
                     AwsError::Key::kmessage);
    }
  }
  next.statements.push_back(std::move(statement));
  // AWS's limit on a function's policy, measured as the document GetPolicy returns.
  const size_t size =
      nlohmann::json{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", next.statements}}
          .dump()
          .size();
  if (size > kMaxPolicyBytes) {
    throw AwsError(400, "PolicyLengthExceededException",
                   "The final policy size (" + std::to_string(size) +
                       ") is bigger than the limit (" + std::to_string(kMaxPolicyBytes) + ").",
                   AwsError::Key::kmessage);
  }
  next.revision_id = new_request_id();
  // In memory first, so a second call meanwhile sees this one; the registry thread writes in
  // call order, so the last write holds the latest policy.
  stored_->policies[{name, qualifier}] = next;
  try {
    std::function<bool()> job = put_policy_job(thread_->db.get(), name, qualifier, next);
    co_await thread_->run<bool>(std::move(job));
  } catch (...) {
    if (before) {
      stored_->policies[{name, qualifier}] = *before;
    } else {
      stored_->policies.erase({name, qualifier});
    }
    throw;
  }
}

boost::asio::awaitable<void> Registry::remove_permission(std::string name, std::string qualifier,
                                                         std::string sid,
                                                         std::optional<std::string> revision_id) {
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  qualifier = policy_key(qualifier);
  const std::optional<Policy> before = policy(name, qualifier);
  check_revision(before, revision_id);
  Policy next = before.value_or(Policy{});
  const size_t count = next.statements.size();
  erase_statement(next, sid);
  if (next.statements.size() == count) {
    throw AwsError(404, "ResourceNotFoundException",
                   "Statement " + sid + " is not found in resource policy.");
  }
  next.revision_id = new_request_id();
  if (next.statements.empty()) {
    stored_->policies.erase({name, qualifier});
  } else {
    stored_->policies[{name, qualifier}] = next;
  }
  try {
    std::function<bool()> job = put_policy_job(thread_->db.get(), name, qualifier, next);
    co_await thread_->run<bool>(std::move(job));
  } catch (...) {
    stored_->policies[{name, qualifier}] = *before;
    throw;
  }
}

}  // namespace lambdad::registry
