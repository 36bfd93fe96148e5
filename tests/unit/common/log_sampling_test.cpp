#include "lambdad/common/log_sampling.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lambdad {
namespace {

TEST(LogSampling, LogsTheFirstAndEveryPowerOfTen) {
  std::vector<uint64_t> logged;
  for (uint64_t n = 0; n <= 100000; ++n) {
    if (logged_occurrence(n)) logged.push_back(n);
  }
  EXPECT_EQ(logged, (std::vector<uint64_t>{1, 10, 100, 1000, 10000, 100000}));
  EXPECT_TRUE(logged_occurrence(10000000000000000000ull));
  EXPECT_FALSE(logged_occurrence(20));
}

}  // namespace
}  // namespace lambdad
