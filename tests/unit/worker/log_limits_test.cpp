// The log limits' rules: the function's rate (a token bucket its workers share), the cap per
// invocation, and the marker line that tells what was dropped.
#include "lambdad/worker/log_limits.hpp"

#include <gtest/gtest.h>

namespace lambdad::worker {
namespace {

using Clock = LogRate::Clock;
using namespace std::chrono_literals;

constexpr uint64_t kMiB = 1 << 20;
const Clock::time_point t0{};  // a fake clock: every test passes its own times

std::string line_costing(uint64_t cost) {
  return std::string(cost - kLogEventOverhead, 'x');
}

TEST(LogRate, StartsFullWithOneSecondAndRefillsAtTheRate) {
  LogRate rate({.bytes_per_second = 1 * kMiB, .invocation_bytes = 0}, t0);
  EXPECT_TRUE(rate.try_take(kMiB / 2, t0));
  EXPECT_TRUE(rate.try_take(kMiB / 2, t0));
  EXPECT_FALSE(rate.try_take(1, t0)) << "one second's worth was taken";
  EXPECT_FALSE(rate.try_take(kMiB / 4, t0 + 100ms)) << "100 ms gave back ~105 KB only";
  EXPECT_TRUE(rate.try_take(kMiB / 4, t0 + 300ms));
  EXPECT_TRUE(rate.try_take(kMiB, t0 + 10s)) << "a long pause refills it";
  EXPECT_FALSE(rate.try_take(1, t0 + 10s)) << "but never beyond one second's worth";
}

TEST(LogRate, HoldsAtLeastOneWholeLine) {
  LogRate rate({.bytes_per_second = 1000, .invocation_bytes = 0}, t0);
  EXPECT_TRUE(rate.try_take(256 * 1024 + kLogEventOverhead, t0))
      << "a rate below one line a second still lets a whole 256 KB line through";
}

TEST(LogRate, ZeroIsNoLimit) {
  LogRate rate({.bytes_per_second = 0, .invocation_bytes = 0}, t0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(rate.try_take(100 * kMiB, t0));
}

TEST(LogBudget, WithoutARateEverythingIsStored) {
  LogBudget budget(nullptr);
  EXPECT_TRUE(budget.admit(std::string(300000, 'x'), t0));
  EXPECT_FALSE(budget.has_dropped());
  EXPECT_EQ(budget.take_marker("id"), "");
}

TEST(LogBudget, EachLineCostsItsBytesPlus26) {
  auto rate =
      std::make_shared<LogRate>(LogLimits{.bytes_per_second = 0, .invocation_bytes = 1000}, t0);
  LogBudget budget(rate);
  for (int i = 0; i < 38; ++i) EXPECT_TRUE(budget.admit("", t0)) << i;  // 38 * 26 = 988
  EXPECT_FALSE(budget.admit("", t0)) << "empty lines cost rows, and count";
}

TEST(LogBudget, TheInvocationCapDropsTheRestOfTheInvocation) {
  auto rate =
      std::make_shared<LogRate>(LogLimits{.bytes_per_second = 0, .invocation_bytes = 1000}, t0);
  LogBudget budget(rate);
  EXPECT_TRUE(budget.admit(line_costing(600), t0));
  EXPECT_FALSE(budget.admit(line_costing(500), t0));
  EXPECT_FALSE(budget.admit("short", t0)) << "once capped, the rest of the invocation is dropped";
  EXPECT_TRUE(budget.has_dropped());
  EXPECT_EQ(rate->dropped(DropReason::kInvocationLimit), 500u - kLogEventOverhead + 5);
  EXPECT_EQ(rate->dropped(DropReason::kRateLimit), 0u);
  EXPECT_EQ(budget.take_marker("8f5ad7b2"),
            "LOGS_DROPPED RequestId: 8f5ad7b2\tDropped Bytes: 479\tDropped Lines: 2\tReason: the "
            "invocation logged more than 1000 bytes (serve --log-invocation-limit)");
  EXPECT_FALSE(budget.has_dropped()) << "the marker resets the counts";
  budget.new_invocation();
  EXPECT_TRUE(budget.admit(line_costing(600), t0)) << "the next invocation starts afresh";
}

TEST(LogBudget, WorkersOfAFunctionShareItsRate) {
  auto rate =
      std::make_shared<LogRate>(LogLimits{.bytes_per_second = 1 * kMiB, .invocation_bytes = 0}, t0);
  LogBudget a(rate), b(rate);
  const std::string line = line_costing(kMiB / 4);
  EXPECT_TRUE(a.admit(line, t0));
  EXPECT_TRUE(b.admit(line, t0));
  EXPECT_TRUE(a.admit(line, t0));
  EXPECT_TRUE(b.admit(line, t0));
  EXPECT_FALSE(a.admit(line, t0));
  EXPECT_FALSE(b.admit(line, t0));
  EXPECT_EQ(rate->dropped(DropReason::kRateLimit), 2 * line.size());
  EXPECT_TRUE(a.admit(line, t0 + 1s)) << "refilled";
  EXPECT_EQ(a.take_marker(""),
            "LOGS_DROPPED Dropped Bytes: " + std::to_string(line.size()) +
                "\tDropped Lines: 1\tReason: the function logged more than 1 MB/s (serve "
                "--log-rate-limit)");
}

TEST(LogBudget, LinesOverTheInvocationCapTakeNothingFromTheRate) {
  constexpr uint64_t kKiB = 1024;
  auto rate = std::make_shared<LogRate>(
      LogLimits{.bytes_per_second = 1 * kMiB, .invocation_bytes = 600 * kKiB}, t0);
  LogBudget capped(rate), other(rate);
  EXPECT_TRUE(capped.admit(line_costing(500 * kKiB), t0));  // 524 KB of the rate left
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(capped.admit(line_costing(256 * kKiB), t0));
  EXPECT_TRUE(other.admit(line_costing(500 * kKiB), t0)) << "the function's rate is untouched";
  EXPECT_EQ(rate->dropped(DropReason::kRateLimit), 0u);
}

TEST(LogBudget, TheMarkerNamesBothReasonsAndWhenDroppingStarted) {
  auto rate = std::make_shared<LogRate>(
      LogLimits{.bytes_per_second = 1 * kMiB, .invocation_bytes = 2 * kMiB}, t0);
  LogBudget budget(rate);
  const std::string line = line_costing(kMiB / 2);
  EXPECT_TRUE(budget.admit(line, t0));
  EXPECT_TRUE(budget.admit(line, t0));
  EXPECT_FALSE(budget.admit(line, t0 + 10ms));  // the rate
  EXPECT_EQ(budget.dropping_since(), t0 + 10ms);
  EXPECT_TRUE(budget.admit(line, t0 + 2s));
  EXPECT_TRUE(budget.admit(line, t0 + 2s));
  EXPECT_FALSE(budget.admit(line, t0 + 5s));  // the invocation's 2 MB
  EXPECT_EQ(budget.dropping_since(), t0 + 10ms) << "still the first drop since the last marker";
  const std::string marker = budget.take_marker("id");
  EXPECT_NE(marker.find("Dropped Lines: 2\t"), std::string::npos) << marker;
  EXPECT_NE(marker.find("Reason: the invocation logged more than 2 MB (serve "
                        "--log-invocation-limit); the function logged more than 1 MB/s"),
            std::string::npos)
      << marker;
}

}  // namespace
}  // namespace lambdad::worker
