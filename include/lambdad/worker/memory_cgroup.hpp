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

namespace lambdad::worker {

class MemoryCgroup {
 public:
  MemoryCgroup(std::filesystem::path dir, int procs_fd, int peak_fd)
      : dir_(std::move(dir)), procs_fd_(procs_fd), peak_fd_(peak_fd) {}
  ~MemoryCgroup();  ///< removes the cgroup (it is empty once the worker's processes are gone)
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  /// Open for writing; the child writes its pid here before exec to join.
  int procs_fd() const { return procs_fd_; }
  /// Peak memory charged to the cgroup since it was created, in bytes.
  std::optional<uint64_t> peak_bytes() const;

 private:
  std::filesystem::path dir_;
  int procs_fd_;
  int peak_fd_;
};

class MemoryCgroups {
 public:
  /// Finds a writable memory controller below lambdad's own cgroup and makes lambdad-<pid> there;
  /// nullptr (and `why` says why) when there is none.
  static std::unique_ptr<MemoryCgroups> probe(std::string& why);
  ~MemoryCgroups();

  /// A cgroup for one worker; nullptr when it cannot be made (the worker then uses /proc).
  std::unique_ptr<MemoryCgroup> create(const std::string& worker_id) const;
  /// "cgroup v2" or "cgroup v1", and where.
  std::string describe() const;

 private:
  MemoryCgroups(std::filesystem::path root, bool v2) : root_(std::move(root)), v2_(v2) {}
  std::filesystem::path root_;
  bool v2_;
};

}  // namespace lambdad::worker
