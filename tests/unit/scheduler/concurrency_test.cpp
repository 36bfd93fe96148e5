#include "lambdad/scheduler/concurrency.hpp"

#include <gtest/gtest.h>

namespace lambdad::scheduler {
namespace {

TEST(ConcurrencyLimits, ReservedCapsTheFunctionWithItsReason) {
  ConcurrencyLimits limits(1000);
  limits.set_reserved("f", 2);
  EXPECT_EQ(limits.try_acquire("f"), std::nullopt);
  EXPECT_EQ(limits.try_acquire("f"), std::nullopt);
  EXPECT_EQ(limits.try_acquire("f"), "ReservedFunctionConcurrentInvocationLimitExceeded");
  limits.release("f");
  EXPECT_EQ(limits.try_acquire("f"), std::nullopt);
  EXPECT_EQ(limits.in_flight("f"), 2);
}

TEST(ConcurrencyLimits, ZeroReservationDisablesTheFunction) {
  ConcurrencyLimits limits(1000);
  limits.set_reserved("off", 0);
  EXPECT_EQ(limits.try_acquire("off"), "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(limits.in_flight_total(), 0);
}

TEST(ConcurrencyLimits, UnreservedFunctionsShareWhatReservationsLeave) {
  ConcurrencyLimits limits(5);
  limits.set_reserved("reserved", 3);
  EXPECT_EQ(limits.unreserved_capacity(), 2);
  EXPECT_EQ(limits.try_acquire("a"), std::nullopt);
  EXPECT_EQ(limits.try_acquire("b"), std::nullopt);
  EXPECT_EQ(limits.try_acquire("a"), "ConcurrentInvocationLimitExceeded");
  // The reservation is still fully available to its function.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limits.try_acquire("reserved"), std::nullopt);
  EXPECT_EQ(limits.try_acquire("reserved"), "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(limits.in_flight_total(), 5);
}

TEST(ConcurrencyLimits, ServerLimitAppliesToEveryone) {
  ConcurrencyLimits limits(1);
  EXPECT_EQ(limits.try_acquire("a"), std::nullopt);
  EXPECT_EQ(limits.try_acquire("b"), "ConcurrentInvocationLimitExceeded");
  limits.release("a");
  EXPECT_EQ(limits.try_acquire("b"), std::nullopt);
}

TEST(ConcurrencyLimitsDeathTest, ReleasingWhatWasNotTakenCrashes) {
  ConcurrencyLimits limits(10);
  EXPECT_DEATH(limits.release("never"), "invariant broken");
}

}  // namespace
}  // namespace lambdad::scheduler
