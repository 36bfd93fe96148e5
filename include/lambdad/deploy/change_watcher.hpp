#pragma once
/// @brief Hot reload's change detector: inotify watches on a template file and on whole folder
/// trees (subfolders that appear later are watched as they appear), and a wait that returns once
/// a burst of changes has been quiet for a while, so that an editor's or a build's many writes
/// make one reload.
///
/// A file is watched through its folder, filtered by name: editors replace a file by renaming a
/// new one over it, which would end a watch on the file itself.
///
/// Thread safety: one thread calls watch() and wait(); stop() may be called from any thread.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lambdad/deploy/code_fingerprint.hpp"

namespace lambdad::deploy {

class ChangeWatcher {
 public:
  /// Throws std::system_error when the kernel refuses an inotify instance (e.g. its per-user
  /// limit, fs.inotify.max_user_instances, is reached).
  explicit ChangeWatcher(PathFilter filter);
  ~ChangeWatcher();
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  /// Watches exactly these files and folder trees from now on (what is no longer listed is
  /// dropped). A folder that cannot be watched is skipped with a warning in the log.
  void watch(const std::vector<std::filesystem::path>& files,
             const std::vector<std::filesystem::path>& trees);

  struct Changes {
    size_t events = 0;                           ///< changes folded into this one
    std::vector<std::filesystem::path> samples;  ///< the first few paths, for the log
    bool overflowed = false;                     ///< the kernel dropped events (queue full)
  };
  /// Blocks until something watched changes, then until nothing has changed for `quiet` (or
  /// `longest` has passed since the first change, for writes that never stop). Returns no
  /// events when nothing changed within `give_up`, and nullopt once stop() was called.
  std::optional<Changes> wait(std::chrono::milliseconds quiet,
                              std::chrono::milliseconds longest = std::chrono::seconds(5),
                              std::chrono::milliseconds give_up = std::chrono::milliseconds::max());
  /// Ends a wait() in progress and every later one.
  void stop();

  /// Folders watched now (for tests and the debug log).
  size_t watch_count() const { return by_wd_.size(); }

 private:
  struct Folder {
    std::filesystem::path path;
    bool tree = false;            ///< every name in it counts (and its subfolders are watched)
    std::set<std::string> files;  ///< else only these names count
  };
  bool add(const std::filesystem::path& dir, bool tree, const std::string& file);
  void add_tree(const std::filesystem::path& root);
  void forget_below(const std::filesystem::path& dir);
  /// Reads what the kernel has queued; counts the changes that matter into `changes`.
  void drain_events(Changes& changes);
  void rewatch();

  PathFilter filter_;
  int inotify_ = -1;
  int wake_ = -1;  ///< eventfd written by stop()
  std::map<int, Folder> by_wd_;
  std::vector<std::filesystem::path> files_, trees_;  ///< the last watch() call
  bool limit_reported_ = false;                       ///< max_user_watches was hit and logged
};

}  // namespace lambdad::deploy
