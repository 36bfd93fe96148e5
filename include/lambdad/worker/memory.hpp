#pragma once
/// @brief Max Memory Used without cgroups: the peak RSS (VmHWM) of a worker's process plus that of
/// its descendants, read from /proc. Read once per invocation, so the worker's own status file
/// stays open (procfs regenerates it on every read) and its list of descendants is refreshed at
/// most once a second.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace lambdad::worker {

class PeakMemory {
 public:
  explicit PeakMemory(pid_t root) : root_(root) {}
  ~PeakMemory();
  PeakMemory(const PeakMemory&) = delete;
  PeakMemory& operator=(const PeakMemory&) = delete;

  /// Peak RSS in bytes of the process and its descendants (0 once they are gone).
  uint64_t bytes();

 private:
  pid_t root_;
  int status_fd_ = -1;
  std::vector<pid_t> descendants_;
  std::chrono::steady_clock::time_point descendants_read_{};
};

/// VmHWM of one process, in bytes (0 when it cannot be read).
uint64_t vm_hwm_bytes(pid_t pid);

}  // namespace lambdad::worker
