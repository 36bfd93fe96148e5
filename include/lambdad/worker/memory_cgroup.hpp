#pragma once
/// @brief Max Memory Used from a memory cgroup per worker, where the host gives lambdad a writable
/// one: cgroup v2 (`memory.peak`) or the v1 memory controller (`memory.max_usage_in_bytes`). The
/// cgroup covers every process the worker starts, exactly as Lambda's number does. Where neither
/// is writable the workers fall back to PeakMemory (/proc). Limits are the sandbox's business.
///
/// Thread safety: create() and the cgroups it returns are used on the io thread.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lambdad::worker {

/// lambdad's own cgroup path for a v1 controller (a `N:cpu,cpuacct:/path` line names several) or,
/// with "", for cgroup v2 (`0::/path`); nullopt when /proc/self/cgroup has none.
std::optional<std::string> own_cgroup(std::string_view controller);

class MemoryCgroups;

class MemoryCgroup {
 public:
  MemoryCgroup(const MemoryCgroups& owner, std::filesystem::path dir, int procs_fd, int peak_fd)
      : owner_(owner), dir_(std::move(dir)), procs_fd_(procs_fd), peak_fd_(peak_fd) {}
  /// Kills whatever is still in the cgroup (a process that left the worker's process group) and
  /// removes it; if the kernel still counts exiting processes, the owner removes it later.
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  /// Open for writing; the child writes its pid here before exec to join.
  int procs_fd() const { return procs_fd_; }
  /// Peak memory charged to the cgroup since it was created, in bytes.
  std::optional<uint64_t> peak_bytes() const;

 private:
  const MemoryCgroups& owner_;
  std::filesystem::path dir_;
  int procs_fd_;
  int peak_fd_;
};

class MemoryCgroups {
 public:
  /// Finds a writable memory controller below lambdad's own cgroup and makes lambdad-<pid> there;
  /// nullptr (and `why` says why) when there is none.
  static std::unique_ptr<MemoryCgroups> probe(std::string& why);
  ~MemoryCgroups();  ///< removes every worker cgroup left (waiting briefly for exiting processes)

  /// A cgroup for one worker; nullptr when it cannot be made (the worker then uses /proc).
  std::unique_ptr<MemoryCgroup> create(const std::string& worker_id) const;
  /// "cgroup v2" or "cgroup v1", and where.
  std::string describe() const;

 private:
  friend class MemoryCgroup;
  MemoryCgroups(std::filesystem::path root, bool v2) : root_(std::move(root)), v2_(v2) {}
  /// Worker cgroups whose removal the kernel refused (EBUSY while their processes exit).
  void retry_later(std::filesystem::path dir) const { pending_.push_back(std::move(dir)); }
  void retry_pending() const;

  std::filesystem::path root_;
  bool v2_;
  mutable std::vector<std::filesystem::path> pending_;
};

}  // namespace lambdad::worker
