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

TEST(ConcurrencyLimits, AReservationChangedWhileCallsRunKeepsTheCountsRight) {
  ConcurrencyLimits limits(10);
  EXPECT_EQ(limits.try_acquire("f"), std::nullopt);  // from the unreserved pool
  limits.set_reserved("f", 1);                       // PutFunctionConcurrency meanwhile
  EXPECT_EQ(limits.unreserved_capacity(), 9);
  EXPECT_EQ(limits.try_acquire("f"), "ReservedFunctionConcurrentInvocationLimitExceeded")
      << "the call in flight holds the reservation's one slot";
  limits.release("f");
  EXPECT_EQ(limits.try_acquire("f"), std::nullopt);
  limits.set_reserved("f", std::nullopt);  // DeleteFunctionConcurrency meanwhile
  for (int i = 0; i < 9; ++i) EXPECT_EQ(limits.try_acquire("g"), std::nullopt);
  EXPECT_EQ(limits.try_acquire("g"), "ConcurrentInvocationLimitExceeded")
      << "f's call counts in the unreserved pool again";
  limits.release("f");
  EXPECT_EQ(limits.try_acquire("g"), std::nullopt);
  EXPECT_EQ(limits.in_flight_total(), 10);
}

TEST(ConcurrencyLimits, ReservingZeroWhileCallsRunStopsTheNextOnes) {
  ConcurrencyLimits limits(10);
  EXPECT_EQ(limits.try_acquire("f"), std::nullopt);
  limits.set_reserved("f", 0);
  EXPECT_EQ(limits.try_acquire("f"), "ReservedFunctionConcurrentInvocationLimitExceeded");
  limits.release("f");  // the call in flight ends normally
  EXPECT_EQ(limits.in_flight_total(), 0);
  EXPECT_EQ(limits.unreserved_capacity(), 10);
}

TEST(ConcurrencyLimits, ReservationsBeyondWhatAnIntHoldsLeaveNothingUnreserved) {
  ConcurrencyLimits limits(1000);
  for (const char* f : {"a", "b", "c"}) limits.set_reserved(f, 1 << 30);
  EXPECT_EQ(limits.unreserved_capacity(), 0);
  EXPECT_EQ(limits.try_acquire("other"), "ConcurrentInvocationLimitExceeded");
  EXPECT_EQ(limits.try_acquire("a"), std::nullopt);
}

TEST(ConcurrencyLimitsDeathTest, ReleasingWhatWasNotTakenCrashes) {
  ConcurrencyLimits limits(10);
  EXPECT_DEATH(limits.release("never"), "invariant broken");
}

}  // namespace
}  // namespace lambdad::scheduler
