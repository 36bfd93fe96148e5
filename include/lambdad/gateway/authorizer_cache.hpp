#pragma once
/// @brief Authorizer results kept for their TTL (`ReauthorizeEvery`), keyed by the authorizer and
/// the values of its identity sources, as API Gateway caches them. A kept result is the parsed
/// reply, not a verdict: its policy is evaluated again for each request's method ARN, so one
/// cached Allow or Deny covers every route of the API the policy names.
///
/// Thread safety: none; used on the gateway's io thread only.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace lambdad::gateway {

struct AuthorizerConfig;
struct AuthorizerDecision;

class AuthorizerCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  /// `clock`: steady_clock::now unless a test injects its own. At most `max_entries` results are
  /// kept: past that, expired ones go first, then the one closest to expiring.
  explicit AuthorizerCache(Clock clock = nullptr, size_t max_entries = 10000);

  /// The key of an authorizer's result for these identity-source values.
  static std::string key(const AuthorizerConfig& authorizer,
                         const std::vector<std::string>& values);

  /// The kept result, nullptr when none or expired.
  std::shared_ptr<const AuthorizerDecision> find(const std::string& key);
  /// Keeps a result for `ttl` (nothing when ttl is 0).
  void put(const std::string& key, std::shared_ptr<const AuthorizerDecision> decision,
           std::chrono::seconds ttl);
  void clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::shared_ptr<const AuthorizerDecision> decision;
    std::chrono::steady_clock::time_point expires;
  };
  void make_room(std::chrono::steady_clock::time_point now);

  Clock clock_;
  size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace lambdad::gateway
