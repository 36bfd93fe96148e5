#include "lambdad/worker/memory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

namespace lambdad::worker {
namespace {

std::string_view read_at_start(int fd, char* buffer, size_t size) {
  ssize_t n = ::pread(fd, buffer, size, 0);
  return {buffer, n > 0 ? static_cast<size_t>(n) : 0};
}

std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buffer[4096];
  std::string text(read_at_start(fd, buffer, sizeof buffer));
  ::close(fd);
  return text;
}

uint64_t parse_vm_hwm(std::string_view status) {
  auto at = status.find("VmHWM:");
  if (at == std::string_view::npos) return 0;
  const char* p = status.data() + at + 6;
  const char* end = status.data() + status.size();
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  uint64_t kb = 0;
  std::from_chars(p, end, kb);
  return kb * 1024;
}

std::string status_path(pid_t pid) {
  return "/proc/" + std::to_string(pid) + "/status";
}

void collect_descendants(pid_t pid, std::vector<pid_t>& out, int depth) {
  if (depth > 16) return;
  std::string children =
      read_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::string_view rest = children;
  while (!rest.empty()) {
    pid_t child = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), child);
    if (ec != std::errc()) break;
    out.push_back(child);
    collect_descendants(child, out, depth + 1);
    rest.remove_prefix(static_cast<size_t>(p - rest.data()));
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
}

}  // namespace

uint64_t vm_hwm_bytes(pid_t pid) {
  return parse_vm_hwm(read_file(status_path(pid)));
}

PeakMemory::~PeakMemory() {
  if (status_fd_ >= 0) ::close(status_fd_);
  for (const auto& d : descendants_) ::close(d.status_fd);
}

void PeakMemory::refresh_descendants() {
  std::vector<pid_t> pids;
  collect_descendants(root_, pids, 0);
  std::vector<Watched> next;
  for (pid_t pid : pids) {
    auto kept = std::find_if(descendants_.begin(), descendants_.end(),
                             [pid](const Watched& w) { return w.pid == pid; });
    if (kept != descendants_.end()) {
      next.push_back(*kept);
      kept->status_fd = -1;  // moved
    } else if (int fd = ::open(status_path(pid).c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
      next.push_back({pid, fd});
    }
  }
  for (const auto& gone : descendants_) {
    if (gone.status_fd >= 0) ::close(gone.status_fd);
  }
  descendants_ = std::move(next);
}

uint64_t PeakMemory::bytes() {
  if (root_ <= 0) return 0;
  if (status_fd_ < 0) status_fd_ = ::open(status_path(root_).c_str(), O_RDONLY | O_CLOEXEC);
  if (status_fd_ < 0) return 0;
  char buffer[4096];
  const auto now = std::chrono::steady_clock::now();
  const bool refresh = now - descendants_read_ >= std::chrono::seconds(1);
  if (refresh || !root_is_init_) {
    root_bytes_ = parse_vm_hwm(read_at_start(status_fd_, buffer, sizeof buffer));
  }
  if (refresh) {
    refresh_descendants();
    descendants_read_ = now;
  }
  uint64_t total = root_bytes_;
  for (const auto& d : descendants_) {
    total += parse_vm_hwm(read_at_start(d.status_fd, buffer, sizeof buffer));
  }
  return total;
}

}  // namespace lambdad::worker
