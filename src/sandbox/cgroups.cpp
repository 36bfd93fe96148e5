#include "lambdad/sandbox/cgroups.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lambdad::sandbox {

namespace fs = std::filesystem;

struct WorkerCgroup::Files {
  std::vector<int> procs;  ///< cgroup.procs of each hierarchy, open for writing
  int peak = -1;           ///< memory.peak / memory.max_usage_in_bytes
  int events = -1;         ///< memory.events / memory.oom_control (oom_kill count)

  Files() = default;
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;
  ~Files() {
    for (int fd : procs) ::close(fd);
    for (int fd : {peak, events}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

namespace {

bool has_word(const fs::path& file, std::string_view word) {
  std::ifstream in(file);
  for (std::string w; in >> w;) {
    if (w == word) return true;
  }
  return false;
}

bool write_file(const fs::path& file, std::string_view text) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

/// Makes `dir` (writable means we may place workers there); false when the host refuses.
bool make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directory(dir, ec);
  return !ec && ::access((dir / "cgroup.procs").c_str(), W_OK) == 0;
}

/// SIGKILLs every process still in the cgroup, then removes it; false while the kernel still
/// counts exiting members (EBUSY: worth retrying; anything else is not).
bool kill_and_remove(const fs::path& dir) {
  std::ifstream procs(dir / "cgroup.procs");
  for (pid_t pid; procs >> pid;) ::kill(pid, SIGKILL);
  return ::rmdir(dir.c_str()) == 0 || errno != EBUSY;
}

/// A v1 controller's folder for lambdad's workers, or empty when it is absent or read-only.
fs::path v1_root(std::string_view controller, const std::string& name) {
  auto own = own_cgroup(controller);
  fs::path mount = fs::path("/sys/fs/cgroup") / controller;
  if (!own || !fs::exists(mount)) return {};
  fs::path dir = mount / own->substr(1) / name;
  return make_dir(dir) ? dir : fs::path();
}

std::optional<uint64_t> read_number(int fd) {
  char buffer[32];
  ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
  uint64_t value = 0;
  if (n <= 0 || std::from_chars(buffer, buffer + n, value).ec != std::errc()) return std::nullopt;
  return value;
}

bool alive(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

/// The pids of every thread's children of `pid` (/proc/PID/task/TID/children).
void add_children(pid_t pid, std::vector<pid_t>& out) {
  std::error_code ec;
  fs::path tasks = fs::path("/proc") / std::to_string(pid) / "task";
  for (const auto& task : fs::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "children");
    for (pid_t child; in >> child;) out.push_back(child);
  }
}

/// The pid a lambdad-<pid> folder name carries, or 0.
pid_t server_pid(const std::string& name) {
  constexpr std::string_view kPrefix = "lambdad-";
  if (!name.starts_with(kPrefix)) return 0;
  pid_t pid = 0;
  const char* first = name.data() + kPrefix.size();
  const char* last = name.data() + name.size();
  auto [end, ec] = std::from_chars(first, last, pid);
  return ec == std::errc() && end == last && pid > 0 ? pid : 0;
}

/// The members of a cgroup folder and of every folder below it.
std::vector<pid_t> members(const fs::path& dir) {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != "cgroup.procs") continue;
    std::ifstream in(it->path());
    for (pid_t pid; in >> pid;) pids.push_back(pid);
  }
  return pids;
}

/// Removes `dir`'s subfolders bottom up, then `dir`; false when one is left.
bool remove_tree(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> folders;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) folders.push_back(it->path());
  }
  std::sort(folders.begin(), folders.end(), [](const fs::path& a, const fs::path& b) {
    return a.native().size() > b.native().size();
  });
  for (const auto& folder : folders) ::rmdir(folder.c_str());
  return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

/// When the process started, in seconds since the epoch; nullopt when it is gone or a zombie.
std::optional<double> process_start(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  uint64_t start_ticks = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 3 && (field == "Z" || field == "X")) return std::nullopt;
    if (i == 22) {
      start_ticks = std::strtoull(field.c_str(), nullptr, 10);
      break;
    }
  }
  std::ifstream proc_stat("/proc/stat");
  double boot = 0;
  for (std::string key; proc_stat >> key;) {
    if (key == "btime") {
      proc_stat >> boot;
      break;
    }
  }
  return boot + static_cast<double>(start_ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

bool live_server_folder(pid_t pid, const fs::path& folder, std::string_view controller,
                        std::string_view parent_in_hierarchy) {
  const auto started = process_start(pid);
  if (!started) return false;
  // The pid's own cgroup in this hierarchy, as own_cgroup() reads /proc/self/cgroup.
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  bool member = false;
  for (std::string line; std::getline(in, line);) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string_view list = std::string_view(line).substr(first + 1, second - first - 1);
    bool named = controller.empty() && list.empty() && line.starts_with("0:");
    for (size_t start = 0; !controller.empty() && start <= list.size();) {
      size_t comma = list.find(',', start);
      if (list.substr(start, comma - start) == controller) named = true;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (named) member = std::string_view(line).substr(second + 1) == parent_in_hierarchy;
  }
  if (!member) return false;
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) return false;
  const double changed = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
  // One second of slack: the start time is in clock ticks from a boot time in whole seconds.
  return *started <= changed + 1.0;
}

Leftovers sweep_dead_servers(const fs::path& parent, bool v2,
                             const std::function<bool(pid_t, const fs::path&)>& live,
                             std::string_view keep) {
  Leftovers found;
  std::vector<fs::path> dead;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    const pid_t pid = server_pid(name);
    if (pid == 0 || name == keep || !entry.is_directory(ec)) continue;
    if (live(pid, entry.path())) continue;
    found.servers.push_back(pid);
    dead.push_back(entry.path());
  }
  for (const auto& dir : dead) {
    // cgroup.kill (v2, Linux 5.14) kills the whole subtree at once, forks in flight included; v1
    // (and older v2) is a loop: kill every member until a pass finds none.
    if (v2) write_file(dir / "cgroup.kill", "1");
    for (int pass = 0; pass < 100; ++pass) {
      const auto pids = members(dir);
      if (pids.empty()) break;
      for (pid_t pid : pids) {
        if (::kill(pid, SIGKILL) == 0 && pass == 0) ++found.processes;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  // The kernel lets a folder go once its killed members have exited: wait briefly.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!dead.empty()) {
    std::erase_if(dead, [](const fs::path& dir) { return remove_tree(dir); });
    if (dead.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  found.folders_left = dead.size();
  return found;
}

std::optional<std::string> own_cgroup(std::string_view controller) {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string_view list = std::string_view(line).substr(first + 1, second - first - 1);
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(',', start);
      if (list.substr(start, comma - start) == controller) return line.substr(second + 1);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return std::nullopt;
}

CgroupLimits CgroupLimits::for_function(int memory_mb) {
  CgroupLimits limits;
  limits.memory_bytes = static_cast<uint64_t>(std::max(memory_mb, 1)) << 20;
  return limits;
}

WorkerCgroup::WorkerCgroup(const WorkerCgroups& owner, std::vector<fs::path> dirs,
                           std::shared_ptr<const Files> files, int dir_fd)
    : owner_(owner), dirs_(std::move(dirs)), files_(std::move(files)), dir_fd_(dir_fd) {}

WorkerCgroup::~WorkerCgroup() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
  files_.reset();
  std::vector<fs::path> busy;
  for (auto& dir : dirs_) {
    if (!kill_and_remove(dir)) busy.push_back(std::move(dir));
  }
  if (!busy.empty()) owner_.retry_later(std::move(busy));
}

void WorkerCgroup::attach_later(pid_t pid, int pidfd) {
  owner_.enqueue({files_, pid, ::fcntl(pidfd, F_DUPFD_CLOEXEC, 0)});
}

std::optional<uint64_t> WorkerCgroup::peak_bytes() const {
  return read_number(files_->peak);
}

bool WorkerCgroup::oom_killed() const {
  char buffer[1024];
  ssize_t n = ::pread(files_->events, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return false;
  buffer[n] = '\0';
  const char* at = std::strstr(buffer, "oom_kill ");
  return at && std::strtoull(at + 9, nullptr, 10) > 0;
}

WorkerCgroups::WorkerCgroups(std::vector<fs::path> roots, bool v2)
    : roots_(std::move(roots)), v2_(v2), attacher_([this] { run_attacher(); }) {}

std::unique_ptr<WorkerCgroups> WorkerCgroups::at(std::vector<fs::path> roots, bool v2) {
  roots.resize(v2 ? 1 : 2);
  return std::unique_ptr<WorkerCgroups>(new WorkerCgroups(std::move(roots), v2));
}

std::unique_ptr<WorkerCgroups> WorkerCgroups::probe(std::string& why, Leftovers* swept) {
  const std::string name = "lambdad-" + std::to_string(::getpid());
  // Folders of servers that were killed (SIGKILL: no destructor ran), in each hierarchy we may
  // write: their workers' processes, grandchildren included, die with them. A folder carrying our
  // own pid is a predecessor's too: ours is not made yet.
  auto sweep = [&](const fs::path& parent, std::string_view controller, const std::string& own,
                   bool v2) {
    if (::access(parent.c_str(), W_OK) != 0) return;
    Leftovers found = sweep_dead_servers(parent, v2, [&](pid_t pid, const fs::path& folder) {
      return pid != ::getpid() && live_server_folder(pid, folder, controller, own);
    });
    if (!swept) return;
    swept->servers.insert(swept->servers.end(), found.servers.begin(), found.servers.end());
    swept->processes += found.processes;
    swept->folders_left += found.folders_left;
  };
  if (auto own = own_cgroup(""); own && fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    sweep(fs::path("/sys/fs/cgroup") / own->substr(1), "", *own, true);
  }
  for (const char* controller : {"memory", "pids"}) {
    auto own = own_cgroup(controller);
    fs::path mount = fs::path("/sys/fs/cgroup") / controller;
    if (own && fs::exists(mount / "cgroup.procs"))
      sweep(mount / own->substr(1), controller, *own, false);
  }
  // cgroup v2 with the memory controller enabled for our children (a delegated subtree).
  if (auto own = own_cgroup(""); own && fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    fs::path parent = fs::path("/sys/fs/cgroup") / own->substr(1);
    fs::path root = parent / name;
    if (has_word(parent / "cgroup.subtree_control", "memory") && make_dir(root)) {
      // lambdad-<pid> holds no process, so it may hand its controllers on to the workers'.
      if (write_file(root / "cgroup.subtree_control", "+memory")) {
        write_file(root / "cgroup.subtree_control", "+pids");
        return at({root}, true);
      }
      ::rmdir(root.c_str());
    }
  }
  fs::path memory = v1_root("memory", name);
  if (!memory.empty()) return at({memory, v1_root("pids", name)}, false);
  why =
      "no writable memory cgroup (v2 memory controller not delegated, v1 memory controller absent "
      "or read-only)";
  return nullptr;
}

WorkerCgroups::~WorkerCgroups() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const Job& job : jobs_) ::close(job.pidfd);
    jobs_.clear();
  }
  wake_.notify_one();
  attacher_.join();
  // Shutdown: every worker is gone; give the kernel a moment to finish their exits.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (retry_pending(); !pending_.empty() && std::chrono::steady_clock::now() < deadline;
       retry_pending()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (const auto& root : roots_) {
    if (!root.empty()) ::rmdir(root.c_str());
  }
}

void WorkerCgroups::retry_later(std::vector<fs::path> dirs) const {
  for (auto& dir : dirs) pending_.push_back(std::move(dir));
}

void WorkerCgroups::retry_pending() const {
  std::erase_if(pending_, [](const fs::path& dir) { return kill_and_remove(dir); });
}

std::unique_ptr<WorkerCgroup> WorkerCgroups::create(const std::string& worker_id,
                                                    const CgroupLimits& limits) const {
  retry_pending();
  std::vector<fs::path> dirs;
  auto files = std::make_shared<WorkerCgroup::Files>();
  auto give_up = [&] {
    files.reset();
    for (const auto& dir : dirs) ::rmdir(dir.c_str());
    return nullptr;
  };
  for (const auto& root : roots_) {
    if (root.empty()) continue;
    fs::path dir = root / worker_id;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return give_up();
    dirs.push_back(dir);
    int procs = ::open((dir / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (procs < 0) return give_up();
    files->procs.push_back(procs);
  }
  if (dirs.empty()) return give_up();
  const fs::path& memory = dirs.front();
  const std::string bytes = std::to_string(limits.memory_bytes);
  const std::string pids = std::to_string(limits.pids);
  if (v2_) {
    if (limits.memory_bytes && !write_file(memory / "memory.max", bytes)) return give_up();
    write_file(memory / "memory.swap.max", "0");
    write_file(memory / "pids.max", pids);
  } else {
    if (limits.memory_bytes && !write_file(memory / "memory.limit_in_bytes", bytes)) {
      return give_up();
    }
    // Only where swap is accounted; Lambda has no swap.
    write_file(memory / "memory.memsw.limit_in_bytes", bytes);
    if (!roots_[1].empty()) write_file(roots_[1] / worker_id / "pids.max", pids);
  }
  files->peak = ::open((memory / (v2_ ? "memory.peak" : "memory.max_usage_in_bytes")).c_str(),
                       O_RDONLY | O_CLOEXEC);
  files->events = ::open((memory / (v2_ ? "memory.events" : "memory.oom_control")).c_str(),
                         O_RDONLY | O_CLOEXEC);
  if (files->peak < 0) return give_up();
  int dir_fd = v2_ ? ::open(memory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  return std::unique_ptr<WorkerCgroup>(
      new WorkerCgroup(*this, std::move(dirs), std::move(files), dir_fd));
}

std::string WorkerCgroups::describe() const {
  std::string controllers = "memory";
  if (v2_) {
    controllers += ", pids where delegated";
  } else if (!roots_[1].empty()) {
    controllers += ", pids";
  }
  return std::string(v2_ ? "cgroup v2" : "cgroup v1") + " (" + controllers + ") under " +
         roots_.front().string();
}

void WorkerCgroups::enqueue(Job job) const {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void WorkerCgroups::run_attacher() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    std::vector<Job> jobs = std::move(jobs_);
    jobs_.clear();
    lock.unlock();
    for (Job& job : jobs) {
      // Once the worker is gone its pid may name another process: that one is not ours to move.
      // The bound keeps a fork bomb finite.
      const bool gone = job.pidfd < 0 || !alive(job.pidfd);
      ::close(job.pidfd);
      if (gone) continue;
      std::vector<pid_t> todo{job.pid};
      for (size_t moved = 0; !todo.empty() && moved < 4096; ++moved) {
        pid_t pid = todo.back();
        todo.pop_back();
        const std::string text = std::to_string(pid);
        for (int fd : job.files->procs) (void)!::write(fd, text.data(), text.size());
        add_children(pid, todo);
      }
    }
    lock.lock();
  }
}

}  // namespace lambdad::sandbox
