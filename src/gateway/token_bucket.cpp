#include "lambdad/gateway/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

namespace lambdad::gateway {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t saturating_add(int64_t a, int64_t b) {
  return a > kMax - b ? kMax : a + b;
}

int64_t saturating_mul(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kMax / b ? kMax : a * b;
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

std::string ThrottleLimits::text() const {
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%g", rate);
  return "rate " + std::string(rate_text) + "/s, burst " + std::to_string(burst);
}

TokenBucket::TokenBucket(ThrottleLimits limits) : limits_(limits) {
  if (limits_.rate > 0) {
    const double interval = std::ceil(1e9 / limits_.rate);
    interval_ns_ = interval >= static_cast<double>(kMax) ? kMax : static_cast<int64_t>(interval);
    // A rate so slow that burst intervals would overflow is rounded up to the slowest one that
    // does not (one token per weeks): only absurd settings notice.
    const int64_t slowest = kMax / 4 / std::max<long long>(limits_.burst, 1);
    interval_ns_ = std::clamp<int64_t>(interval_ns_, 1, std::max<int64_t>(slowest, 1));
  }
  tolerance_ns_ = saturating_mul(std::max<long long>(limits_.burst - 1, 0), interval_ns_);
  left_.store(std::max<long long>(limits_.burst, 0), std::memory_order_relaxed);
}

bool TokenBucket::try_take(std::chrono::nanoseconds now) {
  if (limits_.burst <= 0) return false;
  if (interval_ns_ == 0) {  // rate 0: the burst, once
    int64_t left = left_.load(std::memory_order_relaxed);
    while (left > 0) {
      if (left_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  const int64_t t = now.count();
  int64_t tat = tat_.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t start = std::max(tat, t);
    if (start - t > tolerance_ns_) return false;
    if (tat_.compare_exchange_weak(tat, saturating_add(start, interval_ns_),
                                   std::memory_order_relaxed)) {
      return true;
    }
  }
}

int64_t period_index(QuotaPeriod period, int64_t epoch_seconds) {
  const int64_t day = floor_div(epoch_seconds, 86400);
  switch (period) {
    case QuotaPeriod::kDay:
      return day;
    case QuotaPeriod::kWeek:
      return floor_div(day + 4, 7);  // 1970-01-01 was a Thursday; weeks start on Sunday
    case QuotaPeriod::kMonth: {
      const std::time_t seconds = static_cast<std::time_t>(epoch_seconds);
      std::tm tm{};
      gmtime_r(&seconds, &tm);
      return static_cast<int64_t>(tm.tm_year) * 12 + tm.tm_mon;
    }
  }
  return day;
}

namespace {

constexpr uint64_t pack(int64_t period, uint64_t used) {
  return (static_cast<uint64_t>(period) << 32) | (used & 0xffffffffULL);
}
constexpr int64_t period_of(uint64_t state) {
  return static_cast<int64_t>(state >> 32);
}
constexpr uint64_t used_of(uint64_t state) {
  return state & 0xffffffffULL;
}

}  // namespace

QuotaCounter::QuotaCounter(QuotaLimits limits, int64_t start_epoch_seconds)
    : limits_(limits),
      first_period_(period_index(limits.period, start_epoch_seconds)),
      state_(pack(first_period_, 0)) {}

long long QuotaCounter::allowance(int64_t period) const {
  const long long limit = std::min<long long>(limits_.limit, 0xffffffffLL);
  return period == first_period_ ? std::max<long long>(limit - limits_.offset, 0) : limit;
}

bool QuotaCounter::try_take(int64_t epoch_seconds) {
  const int64_t period = period_index(limits_.period, epoch_seconds);
  uint64_t state = state_.load(std::memory_order_relaxed);
  for (;;) {
    // A request stamped with an older period than the counter's (a clock step back) counts in
    // the counter's period.
    const int64_t current = std::max(period, period_of(state));
    const uint64_t used = current == period_of(state) ? used_of(state) : 0;
    if (static_cast<long long>(used) >= allowance(current)) return false;
    if (state_.compare_exchange_weak(state, pack(current, used + 1), std::memory_order_relaxed)) {
      return true;
    }
  }
}

long long QuotaCounter::remaining(int64_t epoch_seconds) const {
  const int64_t period = period_index(limits_.period, epoch_seconds);
  const uint64_t state = state_.load(std::memory_order_relaxed);
  const uint64_t used = period == period_of(state) ? used_of(state) : 0;
  return std::max<long long>(allowance(period) - static_cast<long long>(used), 0);
}

}  // namespace lambdad::gateway
