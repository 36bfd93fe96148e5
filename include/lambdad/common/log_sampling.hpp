#pragma once
/// @brief Sampling of log lines for events a client or a function can repeat at will.

#include <cstdint>

namespace lambdad {

/// Whether the n-th occurrence (from 1) is logged: the 1st, 10th, 100th, …, so that something
/// repeated a million times costs six lines, each saying how many so far.
constexpr bool logged_occurrence(uint64_t n) {
  if (n == 0) return false;
  while (n % 10 == 0) n /= 10;
  return n == 1;
}

}  // namespace lambdad
