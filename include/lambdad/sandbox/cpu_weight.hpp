#pragma once
/// @brief A worker's CPU weight as Lambda sizes it: a full vCPU at 1,769 MB, in proportion below
/// (a 128 MB function gets 7% of a CPU's weight). lambdad sets it as the worker's nice value, the
/// scheduler weight whose table (~1.25× per step) is closest: it costs nothing per wake-up, unlike
/// a CPU cgroup, and works at every sandbox tier. A weight is not a cap: an idle machine still
/// gives a small function a whole core. Functions above 1,769 MB keep nice 0 (Lambda gives them
/// more vCPUs, not a higher priority).

namespace lambdad::sandbox {

/// 0 (1,769 MB and more) to 19.
int nice_for_memory(int memory_mb);

}  // namespace lambdad::sandbox
