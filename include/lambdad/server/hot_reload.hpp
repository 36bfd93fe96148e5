#pragma once
/// @brief `serve PATH` (unless --no-watch): watches the template file and every function's code
/// and layer folders, and when something changes — once the burst of writes has been quiet for
/// a moment — loads the template again and swaps it in: functions whose settings and code are
/// unchanged keep their warm workers, changed ones drain and are replaced warm, nothing in flight
/// is dropped. A template that does not load is refused with its errors and lines in the log,
/// and the running deployment keeps serving.
///
/// Thread safety: the watching, loading and fingerprinting run on the reload's own thread; the
/// swap is posted to the io thread. stop() may be called from any thread.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "lambdad/common/function_config.hpp"
#include "lambdad/deploy/change_watcher.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "lambdad/server/redeployer.hpp"

namespace lambdad::server {

struct WatchOptions {
  std::map<std::string, std::string> parameter_overrides;
  /// Where archives and InlineCode are unpacked (deploy::LoadOptions::state_dir).
  std::filesystem::path state_dir;
  /// The project's own template when `sam build` output may be served instead (serve without
  /// --no-build-dir): both are watched, and each reload serves `.aws-sam/build/template.yaml`
  /// while it is newer than this one, else this one. Empty: only the template given is served.
  std::filesystem::path source_template;
  deploy::PathFilter filter;  ///< the state dir and the folders workers may write
  /// How long changes must stop before a reload: editors and builds write several times.
  std::chrono::milliseconds quiet{150};
};

class HotReload {
 public:
  /// Watches `tmpl`'s file and folders and fingerprints its functions' code, blocking: call it
  /// before the server serves. Throws std::system_error when inotify is unavailable.
  HotReload(WatchOptions options, const Template& tmpl);
  /// Stops the thread and waits for it.
  ~HotReload();
  HotReload(const HotReload&) = delete;
  HotReload& operator=(const HotReload&) = delete;

  /// The fingerprints of the template given to the constructor (Scheduler::deploy's).
  const scheduler::CodeFingerprints& code() const { return code_; }

  /// Starts the reload thread; loaded templates are swapped in on `io` through `target`, which
  /// must outlive the io_context's handlers.
  void start(boost::asio::any_io_executor io, Redeployer& target);
  /// Ends the thread soon (a load in progress is finished but not swapped in); does not wait.
  void stop();

 private:
  void run();
  void reload(const deploy::ChangeWatcher::Changes& changes);
  /// With a source template: the template to serve now (the build output or the source), with
  /// a log line when that changes.
  void choose_template();
  /// The template files, sam build's output (and the folders it appears in), and the archives.
  std::vector<std::filesystem::path> watched_files(const Template& tmpl) const;
  /// Code not built yet (missing_code) that appeared between the load and the watch, whose
  /// creation no watch saw: the next turn of the loop reloads for it.
  static std::optional<std::filesystem::path> built_meanwhile(const Template& tmpl);

  WatchOptions options_;
  std::filesystem::path file_;
  deploy::ChangeWatcher watcher_;
  std::vector<std::filesystem::path> folders_;  ///< code folders of the last template loaded
  std::vector<std::filesystem::path> files_;    ///< files watched for the last template loaded
  scheduler::CodeFingerprints code_;
  boost::asio::any_io_executor io_;
  Redeployer* target_ = nullptr;
  std::optional<std::filesystem::path> built_meanwhile_;  ///< on the reload thread only
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

}  // namespace lambdad::server
