#include "lambdad/scheduler/concurrency.hpp"

#include <algorithm>

#include "lambdad/common/check.hpp"

namespace lambdad::scheduler {

void ConcurrencyLimits::set_reserved(const std::string& function, std::optional<int> reserved) {
  Entry& entry = functions_[function];
  if (entry.reserved) total_reserved_ -= *entry.reserved;
  // Invocations in flight move with the function between its reservation and the unreserved
  // pool, so that each one's release() takes it back from where it is counted now.
  if (entry.reserved && !reserved) unreserved_in_flight_ += entry.in_flight;
  if (!entry.reserved && reserved) unreserved_in_flight_ -= entry.in_flight;
  entry.reserved = reserved;
  if (reserved) total_reserved_ += *reserved;
}

int ConcurrencyLimits::unreserved_capacity() const {
  return static_cast<int>(std::max<long long>(0, server_limit_ - total_reserved_));
}

std::optional<std::string> ConcurrencyLimits::try_acquire(const std::string& function) {
  Entry& entry = functions_[function];
  if (entry.reserved) {
    if (entry.in_flight >= *entry.reserved) {
      return "ReservedFunctionConcurrentInvocationLimitExceeded";
    }
  } else if (unreserved_in_flight_ >= unreserved_capacity()) {
    return "ConcurrentInvocationLimitExceeded";
  }
  if (total_in_flight_ >= server_limit_) return "ConcurrentInvocationLimitExceeded";
  ++entry.in_flight;
  ++total_in_flight_;
  if (!entry.reserved) ++unreserved_in_flight_;
  return std::nullopt;
}

void ConcurrencyLimits::release(const std::string& function) {
  auto it = functions_.find(function);
  LAMBDAD_CHECK(it != functions_.end() && it->second.in_flight > 0);
  --it->second.in_flight;
  --total_in_flight_;
  if (!it->second.reserved) --unreserved_in_flight_;
}

int ConcurrencyLimits::in_flight(const std::string& function) const {
  auto it = functions_.find(function);
  return it == functions_.end() ? 0 : it->second.in_flight;
}

}  // namespace lambdad::scheduler
