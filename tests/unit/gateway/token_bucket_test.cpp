// The counters behind the gateway's 429s, on a fake clock: token buckets (rate, burst, refill,
// rate 0, burst 0, many threads) and usage plan quotas (DAY / WEEK / MONTH periods, offset).

#include "lambdad/gateway/token_bucket.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace lambdad::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

/// 2023-11-14 22:13:20 UTC, a Tuesday.
constexpr int64_t kTuesday = 1'700'000'000;

int taken(TokenBucket& bucket, int tries, nanoseconds at) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += bucket.try_take(at);
  return n;
}

TEST(TokenBucket, StartsFullAndRefillsAtTheRate) {
  TokenBucket bucket({.rate = 2, .burst = 3});
  const nanoseconds t0 = seconds(100);
  EXPECT_EQ(taken(bucket, 10, t0), 3);                       // the burst
  EXPECT_EQ(taken(bucket, 10, t0 + milliseconds(499)), 0);   // not a whole token yet
  EXPECT_EQ(taken(bucket, 10, t0 + milliseconds(500)), 1);   // 2/s: one every 500 ms
  EXPECT_EQ(taken(bucket, 10, t0 + milliseconds(1500)), 2);  // two more in the next second
  EXPECT_EQ(taken(bucket, 10, t0 + seconds(60)), 3);         // never more than the burst
}

TEST(TokenBucket, FractionalRate) {
  TokenBucket bucket({.rate = 0.5, .burst = 1});
  EXPECT_TRUE(bucket.try_take(seconds(10)));
  EXPECT_FALSE(bucket.try_take(seconds(11)));
  EXPECT_TRUE(bucket.try_take(seconds(12)));
}

TEST(TokenBucket, BurstZeroRefusesEverything) {
  TokenBucket bucket({.rate = 100, .burst = 0});
  EXPECT_EQ(taken(bucket, 5, seconds(1)), 0);
  EXPECT_EQ(taken(bucket, 5, seconds(100)), 0);
}

TEST(TokenBucket, RateZeroGivesTheBurstOnce) {
  TokenBucket bucket({.rate = 0, .burst = 2});
  EXPECT_EQ(taken(bucket, 5, seconds(1)), 2);
  EXPECT_EQ(taken(bucket, 5, seconds(100000)), 0);
}

TEST(TokenBucket, ClockAtZeroAndHugeLimits) {
  TokenBucket small({.rate = 1, .burst = 1});
  EXPECT_TRUE(small.try_take(nanoseconds(0)));
  EXPECT_FALSE(small.try_take(nanoseconds(0)));
  TokenBucket huge({.rate = 1e-12, .burst = 1'000'000'000'000});
  EXPECT_EQ(taken(huge, 1000, seconds(5)), 1000);
}

TEST(TokenBucket, ManyThreadsTakeExactlyTheBurst) {
  TokenBucket bucket({.rate = 1e-9, .burst = 1000});
  std::atomic<int> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] { total += taken(bucket, 500, seconds(7)); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(total.load(), 1000);
}

TEST(QuotaPeriods, DayWeekMonthBoundaries) {
  const int64_t day = 86400;
  const int64_t midnight = kTuesday - kTuesday % day;  // Tuesday 00:00 UTC
  EXPECT_EQ(period_index(QuotaPeriod::kDay, midnight),
            period_index(QuotaPeriod::kDay, midnight + day - 1));
  EXPECT_EQ(period_index(QuotaPeriod::kDay, midnight) + 1,
            period_index(QuotaPeriod::kDay, midnight + day));
  // Weeks start on Sunday: Tuesday - 2 days is Sunday 00:00.
  const int64_t sunday = midnight - 2 * day;
  EXPECT_EQ(period_index(QuotaPeriod::kWeek, sunday),
            period_index(QuotaPeriod::kWeek, sunday + 7 * day - 1));
  EXPECT_EQ(period_index(QuotaPeriod::kWeek, sunday - 1) + 1,
            period_index(QuotaPeriod::kWeek, sunday));
  // 2023-11-30 23:59:59 and 2023-12-01 00:00:00 UTC.
  EXPECT_EQ(period_index(QuotaPeriod::kMonth, 1701388799) + 1,
            period_index(QuotaPeriod::kMonth, 1701388800));
  EXPECT_EQ(period_index(QuotaPeriod::kMonth, 1701388800),
            period_index(QuotaPeriod::kMonth, 1703980800 - 1));
  EXPECT_EQ(parse_quota_period("WEEK"), QuotaPeriod::kWeek);
  EXPECT_FALSE(parse_quota_period("week"));
}

TEST(QuotaCounter, CountsPerPeriodAndOffsetsTheFirst) {
  QuotaCounter quota({.limit = 3, .period = QuotaPeriod::kDay, .offset = 1}, kTuesday);
  EXPECT_EQ(quota.remaining(kTuesday), 2);
  EXPECT_TRUE(quota.try_take(kTuesday));
  EXPECT_TRUE(quota.try_take(kTuesday + 10));
  EXPECT_FALSE(quota.try_take(kTuesday + 20));  // the offset took one off the first day
  EXPECT_EQ(quota.remaining(kTuesday), 0);
  const int64_t tomorrow = kTuesday + 86400;
  EXPECT_EQ(quota.remaining(tomorrow), 3);
  EXPECT_EQ(quota.try_take(tomorrow) + quota.try_take(tomorrow) + quota.try_take(tomorrow) +
                quota.try_take(tomorrow),
            3);
  // A clock that steps back counts in the newest period seen.
  EXPECT_FALSE(quota.try_take(kTuesday));
}

TEST(QuotaCounter, ZeroLimitAndOffsetBeyondLimit) {
  QuotaCounter none({.limit = 0, .period = QuotaPeriod::kMonth}, kTuesday);
  EXPECT_FALSE(none.try_take(kTuesday));
  QuotaCounter offset({.limit = 2, .period = QuotaPeriod::kWeek, .offset = 5}, kTuesday);
  EXPECT_FALSE(offset.try_take(kTuesday));
  EXPECT_TRUE(offset.try_take(kTuesday + 7 * 86400));
}

TEST(QuotaCounter, ManyThreadsTakeExactlyTheLimit) {
  QuotaCounter quota({.limit = 777, .period = QuotaPeriod::kDay}, kTuesday);
  std::atomic<int> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) total += quota.try_take(kTuesday);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(total.load(), 777);
}

}  // namespace
}  // namespace lambdad::gateway
