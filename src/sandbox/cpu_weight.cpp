#include "lambdad/sandbox/cpu_weight.hpp"

#include <cmath>

namespace lambdad::sandbox {

int nice_for_memory(int memory_mb) {
  constexpr double kFullCpuMb = 1769;
  // The kernel's sched_prio_to_weight: nice 0 → 1024, each step ÷ 1.25.
  constexpr int kWeights[] = {1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
                              110,  87,  70,  56,  45,  36,  29,  23,  18,  15};
  if (memory_mb >= kFullCpuMb) return 0;
  const double target = 1024 * std::max(memory_mb, 1) / kFullCpuMb;
  int best = 0;
  for (int nice = 1; nice < 20; ++nice) {
    if (std::abs(std::log(kWeights[nice] / target)) < std::abs(std::log(kWeights[best] / target))) {
      best = nice;
    }
  }
  return best;
}

}  // namespace lambdad::sandbox
