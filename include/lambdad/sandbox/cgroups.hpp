#pragma once
/// @brief A cgroup per worker where the host gives lambdad writable cgroups: the limits Lambda
/// applies (memory = MemorySize without swap, a pids limit) and Max Memory Used (the cgroup's
/// peak, which counts every process the worker started). cgroup v2 (a delegated subtree with the
/// memory controller) or v1 (the memory hierarchy, plus pids where writable).
///
/// No cpu controller: with the workers in a CPU group of their own, apart from lambdad's threads,
/// 32 busy workers served half the invocations per second (group scheduling on every wake-up).
/// The CPU weight is the worker's nice value instead (cpu_weight.hpp).
///
/// Joining: a sandboxed worker on v2 is cloned straight into its cgroup (CLONE_INTO_CGROUP, which
/// costs nothing). Moving a running process into a cgroup instead waits for an RCU grace period
/// (12–20 ms on a 2-core VM), longer than a whole cold start of a C++ function, so the worker does
/// not wait: a background thread moves it, and whatever it started meanwhile, while it starts.
/// Memory touched before the move stays charged to lambdad's cgroup: the limit counts from the
/// move on, and Max Memory Used is then the larger of the cgroup's peak and /proc's.
///
/// Thread safety: probe() and create() on one thread; a WorkerCgroup is used by the thread that
/// created it, the attacher thread only writes pids into it.

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace lambdad::sandbox {

/// lambdad's own cgroup path for a v1 controller (a `N:cpu,cpuacct:/path` line names several) or,
/// with "", for cgroup v2 (`0::/path`); nullopt when /proc/self/cgroup has none.
std::optional<std::string> own_cgroup(std::string_view controller);

/// What a function's workers are limited to.
struct CgroupLimits {
  uint64_t memory_bytes = 0;  ///< 0: no limit (measure only)
  uint64_t pids = 1024;

  static CgroupLimits for_function(int memory_mb);
};

/// What a start found of servers killed before it (SIGKILL: their destructor never ran).
struct Leftovers {
  std::vector<pid_t> servers;  ///< the dead servers whose lambdad-<pid> folders were found
  size_t processes = 0;        ///< processes still in them, killed
  size_t folders_left = 0;     ///< folders the kernel would not remove yet (processes exiting)
};

/// Whether `folder` (`<parent>/lambdad-<pid>`) belongs to a server that still runs: `pid` lives,
/// is a member of `parent` in that hierarchy (a server makes its folder in its own cgroup), and
/// started before the folder last changed (a recycled pid started after its owner died).
/// `controller` as own_cgroup() takes it; `parent_in_hierarchy` is `parent` below the mount.
bool live_server_folder(pid_t pid, const std::filesystem::path& folder, std::string_view controller,
                        std::string_view parent_in_hierarchy);

/// Finds the lambdad-<pid> folders under `parent` whose server is gone (`live` says which are
/// not), kills every process left in them (v2: `cgroup.kill`; v1: SIGKILL to each member until
/// none is left, workers' grandchildren included) and removes them. Never touches a folder of a
/// running server, nor `keep` (the caller's own name).
Leftovers sweep_dead_servers(const std::filesystem::path& parent, bool v2,
                             const std::function<bool(pid_t, const std::filesystem::path&)>& live,
                             std::string_view keep = {});

class WorkerCgroups;

class WorkerCgroup {
 public:
  /// Kills whatever is still in the cgroup (a process that left the worker's process group) and
  /// removes it; if the kernel still counts exiting processes, the owner removes it later.
  ~WorkerCgroup();
  WorkerCgroup(const WorkerCgroup&) = delete;
  WorkerCgroup& operator=(const WorkerCgroup&) = delete;

  /// v2: the cgroup's directory, for clone3's CLONE_INTO_CGROUP; -1 on v1.
  int clone_into_fd() const { return dir_fd_; }
  /// Moves `pid` (alive while `pidfd` says so) and its descendants in, from the attacher thread
  /// (see the file comment).
  void attach_later(pid_t pid, int pidfd);
  /// Peak memory charged to the cgroup since it was created, in bytes.
  std::optional<uint64_t> peak_bytes() const;
  /// Whether the kernel's OOM killer killed a process of this cgroup (its memory limit was hit).
  bool oom_killed() const;

 private:
  friend class WorkerCgroups;
  struct Files;
  WorkerCgroup(const WorkerCgroups& owner, std::vector<std::filesystem::path> dirs,
               std::shared_ptr<const Files> files, int dir_fd);

  const WorkerCgroups& owner_;
  std::vector<std::filesystem::path> dirs_;  ///< v2: one; v1: one per hierarchy, memory first
  std::shared_ptr<const Files> files_;       ///< shared with pending attach jobs
  int dir_fd_ = -1;
};

class WorkerCgroups {
 public:
  /// Finds writable cgroups below lambdad's own and makes lambdad-<pid> there; nullptr (and `why`
  /// says why) when there is no writable memory controller. First it sweeps the folders of
  /// servers that were killed (sweep_dead_servers) and says so in `swept`.
  static std::unique_ptr<WorkerCgroups> probe(std::string& why, Leftovers* swept = nullptr);
  /// The same below given roots (tests: a folder standing in for cgroupfs). v2: one root; v1:
  /// memory, pids (an empty path: that controller is not used; memory is required).
  static std::unique_ptr<WorkerCgroups> at(std::vector<std::filesystem::path> roots, bool v2);
  ~WorkerCgroups();  ///< removes every worker cgroup left (waiting briefly for exiting processes)

  /// A cgroup for one worker with `limits`; nullptr when it cannot be made (the worker then runs
  /// without limits and its memory is read from /proc).
  std::unique_ptr<WorkerCgroup> create(const std::string& worker_id,
                                       const CgroupLimits& limits) const;
  /// "cgroup v1 (memory, pids) under …" and the like.
  std::string describe() const;
  bool v2() const { return v2_; }

 private:
  friend class WorkerCgroup;
  struct Job {
    std::shared_ptr<const WorkerCgroup::Files> files;
    pid_t pid;
    int pidfd;  ///< owned: a duplicate of the worker's
  };
  WorkerCgroups(std::vector<std::filesystem::path> roots, bool v2);
  /// Worker cgroups whose removal the kernel refused (EBUSY while their processes exit).
  void retry_later(std::vector<std::filesystem::path> dirs) const;
  void retry_pending() const;
  void enqueue(Job job) const;
  void run_attacher();

  std::vector<std::filesystem::path> roots_;
  bool v2_;
  mutable std::vector<std::filesystem::path> pending_;

  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  mutable std::vector<Job> jobs_;
  bool stopping_ = false;
  std::thread attacher_;
};

}  // namespace lambdad::sandbox
