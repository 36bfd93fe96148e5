#pragma once
/// @brief The counters behind API Gateway's 429s: a token bucket (rate + burst) and a usage
/// plan's quota (requests per DAY / WEEK / MONTH).
///
/// The bucket is the generic cell rate algorithm: one atomic "theoretical arrival time" replaces
/// the (tokens, last refill) pair, so taking a token is one compare-and-swap and never a lock,
/// whichever thread asks. It admits exactly what a bucket of `burst` tokens refilled at `rate`
/// per second admits, starting full. The quota packs (period, used) into one atomic word the
/// same way. Time is passed in, so tests drive both with a fake clock.
///
/// Thread safety: every member function may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lambdad/common/api_settings.hpp"

namespace lambdad::gateway {

/// API Gateway's account-level defaults (per region): they stand in for a rate or burst a
/// throttle setting leaves out.
inline constexpr double kAccountRateLimit = 10000;
inline constexpr long long kAccountBurstLimit = 5000;

struct ThrottleLimits {
  double rate = kAccountRateLimit;       ///< requests per second (fractions allowed)
  long long burst = kAccountBurstLimit;  ///< bucket size; 0 refuses every request
  bool operator==(const ThrottleLimits&) const = default;
  std::string text() const;  ///< "rate 5/s, burst 10"
};

class TokenBucket {
 public:
  explicit TokenBucket(ThrottleLimits limits);
  /// Takes a token at `now` (any monotonic clock, the same for every call); false when empty.
  bool try_take(std::chrono::nanoseconds now);
  const ThrottleLimits& limits() const { return limits_; }

 private:
  ThrottleLimits limits_;
  int64_t interval_ns_ = 0;   ///< time one token takes to come back; 0: tokens never come back
  int64_t tolerance_ns_ = 0;  ///< how far ahead of now the arrival time may run (burst - 1)
  std::atomic<int64_t> tat_{INT64_MIN};  ///< theoretical arrival time of the next request
  std::atomic<int64_t> left_{0};         ///< tokens left when they never come back (rate 0)
};

/// A usage plan's quota period and limits, as the loader reads them (api_settings.hpp).
using api::parse_quota_period;
using api::quota_period_name;
using QuotaPeriod = api::QuotaPeriod;
using QuotaLimits = api::Quota;

/// The period holding `epoch_seconds`, as a number that grows by one per period: UTC calendar
/// days, weeks starting on Sunday 00:00 UTC, calendar months.
int64_t period_index(QuotaPeriod period, int64_t epoch_seconds);

class QuotaCounter {
 public:
  /// `start_epoch_seconds`: when the counter starts (its first period carries the offset).
  QuotaCounter(QuotaLimits limits, int64_t start_epoch_seconds);
  /// Counts a request at `epoch_seconds`; false (and not counted) when the period's quota is
  /// used up.
  bool try_take(int64_t epoch_seconds);
  /// Requests left in the period holding `epoch_seconds`.
  long long remaining(int64_t epoch_seconds) const;
  const QuotaLimits& limits() const { return limits_; }

 private:
  long long allowance(int64_t period) const;

  QuotaLimits limits_;
  int64_t first_period_;
  /// (period index << 32) | used: one word, so a new period and its first request are one CAS.
  std::atomic<uint64_t> state_;
};

/// Nanoseconds on the steady clock: what the gateway passes to TokenBucket::try_take.
inline std::chrono::nanoseconds steady_now() {
  return std::chrono::steady_clock::now().time_since_epoch();
}

}  // namespace lambdad::gateway
