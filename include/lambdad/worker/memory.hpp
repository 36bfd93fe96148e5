#pragma once
/// @brief Max Memory Used without cgroups: the peak RSS (VmHWM) of a worker's process and its
/// current descendants, read from /proc.

#include <sys/types.h>

#include <cstdint>

namespace lambdad::worker {

uint64_t peak_rss_bytes(pid_t root);

}  // namespace lambdad::worker
