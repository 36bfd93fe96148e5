#include "lambdad/gateway/authorizer_cache.hpp"

#include <algorithm>

#include "lambdad/gateway/authorizer_config.hpp"

namespace lambdad::gateway {

AuthorizerCache::AuthorizerCache(Clock clock, size_t max_entries)
    : clock_(clock ? std::move(clock) : Clock(&std::chrono::steady_clock::now)),
      max_entries_(std::max<size_t>(max_entries, 1)) {}

std::string AuthorizerCache::key(const AuthorizerConfig& authorizer,
                                 const std::vector<std::string>& values) {
  // Length-prefixed parts: no choice of values can make two different lists collide.
  std::string out;
  for (const std::string* part : {&authorizer.api, &authorizer.name}) {
    out += std::to_string(part->size()) + ":" + *part;
  }
  for (const auto& value : values) out += std::to_string(value.size()) + ":" + value;
  return out;
}

std::shared_ptr<const AuthorizerDecision> AuthorizerCache::find(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (clock_() >= it->second.expires) {
    entries_.erase(it);
    return nullptr;
  }
  return it->second.decision;
}

void AuthorizerCache::put(const std::string& key,
                          std::shared_ptr<const AuthorizerDecision> decision,
                          std::chrono::seconds ttl) {
  if (ttl <= std::chrono::seconds(0)) return;
  const auto now = clock_();
  if (!entries_.contains(key)) make_room(now);
  entries_[key] = Entry{std::move(decision), now + ttl};
}

void AuthorizerCache::make_room(std::chrono::steady_clock::time_point now) {
  if (entries_.size() < max_entries_) return;
  std::erase_if(entries_, [now](const auto& entry) { return now >= entry.second.expires; });
  if (entries_.size() < max_entries_) return;
  auto soonest = std::min_element(
      entries_.begin(), entries_.end(),
      [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
  entries_.erase(soonest);
}

}  // namespace lambdad::gateway
