#include "lambdad/worker/memory_cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace lambdad::worker {
namespace {

namespace fs = std::filesystem;

bool has_word(const fs::path& file, std::string_view word) {
  std::ifstream in(file);
  for (std::string w; in >> w;) {
    if (w == word) return true;
  }
  return false;
}

/// Makes `dir` (writable means we may place workers there); false when the host refuses.
bool make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directory(dir, ec);
  return !ec && ::access((dir / "cgroup.procs").c_str(), W_OK) == 0;
}

/// SIGKILLs every process still in the cgroup, then removes it; false while the kernel still
/// counts exiting members (EBUSY).
bool kill_and_remove(const fs::path& dir) {
  std::ifstream procs(dir / "cgroup.procs");
  for (pid_t pid; procs >> pid;) ::kill(pid, SIGKILL);
  return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

}  // namespace

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

MemoryCgroup::~MemoryCgroup() {
  ::close(procs_fd_);
  ::close(peak_fd_);
  if (!kill_and_remove(dir_)) owner_.retry_later(std::move(dir_));
}

std::optional<uint64_t> MemoryCgroup::peak_bytes() const {
  char buffer[32];
  ssize_t n = ::pread(peak_fd_, buffer, sizeof buffer, 0);
  uint64_t value = 0;
  if (n <= 0 || std::from_chars(buffer, buffer + n, value).ec != std::errc()) return std::nullopt;
  return value;
}

std::unique_ptr<MemoryCgroups> MemoryCgroups::probe(std::string& why) {
  const std::string name = "lambdad-" + std::to_string(::getpid());
  // cgroup v2 with the memory controller enabled for our children (a delegated subtree).
  if (auto own = own_cgroup(""); own && fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    fs::path parent = fs::path("/sys/fs/cgroup") / own->substr(1);
    if (has_word(parent / "cgroup.subtree_control", "memory") && make_dir(parent / name)) {
      return std::unique_ptr<MemoryCgroups>(new MemoryCgroups(parent / name, true));
    }
  }
  if (auto own = own_cgroup("memory"); own && fs::exists("/sys/fs/cgroup/memory")) {
    fs::path parent = fs::path("/sys/fs/cgroup/memory") / own->substr(1);
    if (make_dir(parent / name)) {
      return std::unique_ptr<MemoryCgroups>(new MemoryCgroups(parent / name, false));
    }
  }
  why =
      "no writable memory cgroup (v2 memory controller not delegated, v1 memory controller absent "
      "or read-only)";
  return nullptr;
}

MemoryCgroups::~MemoryCgroups() {
  // Shutdown: every worker is gone; give the kernel a moment to finish their exits.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (retry_pending(); !pending_.empty() && std::chrono::steady_clock::now() < deadline;
       retry_pending()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::rmdir(root_.c_str());
}

void MemoryCgroups::retry_pending() const {
  std::erase_if(pending_, [](const fs::path& dir) { return kill_and_remove(dir); });
}

std::unique_ptr<MemoryCgroup> MemoryCgroups::create(const std::string& worker_id) const {
  retry_pending();
  fs::path dir = root_ / worker_id;
  if (::mkdir(dir.c_str(), 0755) != 0) return nullptr;
  int procs = ::open((dir / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  int peak = ::open((dir / (v2_ ? "memory.peak" : "memory.max_usage_in_bytes")).c_str(),
                    O_RDONLY | O_CLOEXEC);
  if (procs < 0 || peak < 0) {
    if (procs >= 0) ::close(procs);
    if (peak >= 0) ::close(peak);
    ::rmdir(dir.c_str());
    return nullptr;
  }
  return std::make_unique<MemoryCgroup>(*this, std::move(dir), procs, peak);
}

std::string MemoryCgroups::describe() const {
  return std::string(v2_ ? "cgroup v2 memory.peak" : "cgroup v1 memory.max_usage_in_bytes") +
         " under " + root_.string();
}

}  // namespace lambdad::worker
