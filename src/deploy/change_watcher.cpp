#include "lambdad/deploy/change_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <spdlog/spdlog.h>

namespace lambdad::deploy {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What changes a file's content, mode or presence; opens and reads do not count.
constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB |
                           IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF |
                           IN_ONLYDIR | IN_EXCL_UNLINK;
constexpr size_t kSamples = 5;

}  // namespace

ChangeWatcher::ChangeWatcher(PathFilter filter) : filter_(std::move(filter)) {
  inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_ < 0) {
    const int error = errno;
    ::close(inotify_);
    throw std::system_error(error, std::generic_category(), "eventfd");
  }
}

ChangeWatcher::~ChangeWatcher() {
  ::close(inotify_);
  ::close(wake_);
}

void ChangeWatcher::stop() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_, &one, sizeof one);
}

bool ChangeWatcher::add(const fs::path& dir, bool tree, const std::string& file) {
  const int wd = ::inotify_add_watch(inotify_, dir.c_str(), kMask);
  if (wd < 0) {
    if (errno == ENOSPC) {
      // Once per watch(): a big tree would otherwise log a line per folder.
      if (!limit_reported_) {
        spdlog::warn(
            "hot reload: {} and what follows it are not watched: the inotify watch "
            "limit is reached (raise fs.inotify.max_user_watches)",
            dir.string());
      }
      limit_reported_ = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
      spdlog::warn("hot reload: cannot watch {}: {}", dir.string(),
                   std::generic_category().message(errno));
    }
    return false;
  }
  // Two entries may share a folder (a template beside a `CodeUri: .`): the watch is one.
  Folder& folder = by_wd_[wd];
  if (folder.path.empty()) folder.path = dir;
  folder.tree = folder.tree || tree;
  if (!file.empty()) folder.files.insert(file);
  return true;
}

void ChangeWatcher::add_tree(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    // A folder being rebuilt (`rm -rf dist && build`): watch for it in the nearest folder that
    // exists, so that its return is seen.
    fs::path missing = root;
    while (missing.has_parent_path() && missing.parent_path() != missing) {
      if (fs::is_directory(missing.parent_path(), ec)) {
        add(missing.parent_path(), false, missing.filename().string());
        break;
      }
      missing = missing.parent_path();
    }
    return;
  }
  if (!add(root, true, "")) return;
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    if (filter_.ignored(it->path()) || !add(it->path(), true, "")) it.disable_recursion_pending();
  }
}

void ChangeWatcher::forget_below(const fs::path& dir) {
  for (auto it = by_wd_.begin(); it != by_wd_.end();) {
    if (path_within(it->second.path, dir)) {
      ::inotify_rm_watch(inotify_, it->first);
      it = by_wd_.erase(it);
    } else {
      ++it;
    }
  }
}

void ChangeWatcher::watch(const std::vector<fs::path>& files, const std::vector<fs::path>& trees) {
  files_ = files;
  trees_ = trees;
  rewatch();
}

void ChangeWatcher::rewatch() {
  // Watches of folders still wanted are kept (adding one again returns the same descriptor), so
  // no change made meanwhile is missed.
  std::map<int, Folder> before = std::move(by_wd_);
  by_wd_.clear();
  limit_reported_ = false;
  for (const auto& file : files_) add(file.parent_path(), false, file.filename().string());
  for (const auto& tree : trees_) add_tree(tree);
  for (const auto& [wd, folder] : before) {
    if (!by_wd_.contains(wd)) ::inotify_rm_watch(inotify_, wd);
  }
  spdlog::debug("hot reload: watching {} folders", by_wd_.size());
}

void ChangeWatcher::drain_events(Changes& changes) {
  alignas(inotify_event) char buffer[64 * 1024];
  while (true) {
    const ssize_t n = ::read(inotify_, buffer, sizeof buffer);
    if (n <= 0) return;  // EAGAIN: nothing more queued
    for (ssize_t offset = 0; offset < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        changes.overflowed = true;
        ++changes.events;
        continue;
      }
      auto it = by_wd_.find(event->wd);
      if (it == by_wd_.end()) continue;
      if (event->mask & IN_IGNORED) {  // the folder is gone, or its watch was removed
        by_wd_.erase(it);
        continue;
      }
      const Folder& folder = it->second;
      const std::string name = event->len > 0 ? std::string(event->name) : std::string();
      const fs::path path = name.empty() ? folder.path : folder.path / name;
      const bool is_dir = event->mask & IN_ISDIR;
      bool counts;
      if (name.empty()) {
        counts = event->mask & (IN_DELETE_SELF | IN_MOVE_SELF);
      } else {
        counts = folder.tree ? !filter_.ignored(path) : folder.files.contains(name);
      }
      if (!counts) continue;
      if (is_dir && (event->mask & IN_MOVED_FROM)) forget_below(path);
      if (is_dir && (event->mask & (IN_CREATE | IN_MOVED_TO)) &&
          (folder.tree || std::find(trees_.begin(), trees_.end(), path) != trees_.end())) {
        add_tree(path);  // a new subfolder (or a code folder made again): watch what it holds
      }
      ++changes.events;
      auto& samples = changes.samples;
      if (samples.size() < kSamples &&
          std::find(samples.begin(), samples.end(), path) == samples.end()) {
        samples.push_back(path);
      }
    }
  }
}

std::optional<ChangeWatcher::Changes> ChangeWatcher::wait(std::chrono::milliseconds quiet,
                                                          std::chrono::milliseconds longest,
                                                          std::chrono::milliseconds give_up) {
  Changes changes;
  const auto started = Clock::now();
  Clock::time_point first{}, last{};
  pollfd fds[2] = {{inotify_, POLLIN, 0}, {wake_, POLLIN, 0}};
  while (true) {
    std::optional<Clock::time_point> until;
    if (changes.events > 0) {
      until = std::min(last + quiet, first + longest);
    } else if (give_up != std::chrono::milliseconds::max()) {
      until = started + give_up;
    }
    int timeout = -1;
    if (until) {
      const auto now = Clock::now();
      if (now >= *until) break;
      timeout = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(*until - now).count() + 1);
    }
    if (::poll(fds, 2, timeout) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll on inotify");
    }
    if (fds[1].revents) return std::nullopt;
    if (!(fds[0].revents & POLLIN)) continue;
    const size_t before = changes.events;
    drain_events(changes);
    if (changes.events == before) continue;
    last = Clock::now();
    if (before == 0) first = last;
  }
  if (changes.overflowed) rewatch();  // whatever the kernel dropped may have made new folders
  return changes;
}

}  // namespace lambdad::deploy
