#include "lambdad/worker/memory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

namespace lambdad::worker {
namespace {

// Reads a small /proc file; procfs regenerates it on every read.
std::string read_proc(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text(4096, '\0');
  ssize_t n = ::read(fd, text.data(), text.size());
  ::close(fd);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return text;
}

uint64_t vm_hwm_bytes(pid_t pid) {
  std::string status = read_proc("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmHWM:");
  if (at == std::string::npos) return 0;
  const char* p = status.data() + at + 6;
  const char* end = status.data() + status.size();
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  uint64_t kb = 0;
  std::from_chars(p, end, kb);
  return kb * 1024;
}

uint64_t tree_peak(pid_t pid, int depth) {
  uint64_t total = vm_hwm_bytes(pid);
  if (depth > 16) return total;
  std::string children =
      read_proc("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::string_view rest = children;
  while (!rest.empty()) {
    pid_t child = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), child);
    if (ec != std::errc()) break;
    total += tree_peak(child, depth + 1);
    rest.remove_prefix(static_cast<size_t>(p - rest.data()));
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  return total;
}

}  // namespace

uint64_t peak_rss_bytes(pid_t root) {
  return root > 0 ? tree_peak(root, 0) : 0;
}

}  // namespace lambdad::worker
