#pragma once
/// @brief Max Memory Used without cgroups: the peak RSS (VmHWM) of a worker's process plus that of
/// its descendants, read from /proc. Read after invocations (Worker decides which), so every
/// status file of the tree stays open (procfs regenerates it on every read, opening it costs as
/// much again) and the list of descendants is refreshed at most once a second. (A sandboxed worker
/// is a tree of two: lambdad-init and the runtime.)

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace lambdad::worker {

class PeakMemory {
 public:
  /// `root_is_init`: the root only waits for its children (the sandbox's lambdad-init), so its
  /// own peak is re-read with the list of descendants, not on every call.
  explicit PeakMemory(pid_t root, bool root_is_init = false)
      : root_(root), root_is_init_(root_is_init) {}
  ~PeakMemory();
  PeakMemory(const PeakMemory&) = delete;
  PeakMemory& operator=(const PeakMemory&) = delete;

  /// Peak RSS in bytes of the process and its descendants (0 once they are gone).
  uint64_t bytes();

 private:
  struct Watched {
    pid_t pid;
    int status_fd;
  };
  void refresh_descendants();

  pid_t root_;
  bool root_is_init_;
  uint64_t root_bytes_ = 0;
  int status_fd_ = -1;
  std::vector<Watched> descendants_;
  std::chrono::steady_clock::time_point descendants_read_{};
};

/// VmHWM of one process, in bytes (0 when it cannot be read).
uint64_t vm_hwm_bytes(pid_t pid);

}  // namespace lambdad::worker
