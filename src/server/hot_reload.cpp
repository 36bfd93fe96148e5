#include "lambdad/server/hot_reload.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::server {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

/// "3 changes (/app/fn/index.js, /app/fn/lib.js)".
std::string what_changed(const deploy::ChangeWatcher::Changes& changes) {
  std::string paths;
  for (const auto& path : changes.samples) paths += (paths.empty() ? "" : ", ") + path.string();
  if (changes.overflowed) paths += (paths.empty() ? "" : ", ") + std::string("events lost");
  return std::to_string(changes.events) + (changes.events == 1 ? " change (" : " changes (") +
         paths + ")";
}

/// The template, and the file it links to when it is a symbolic link: an edit changes the one
/// the link points at, which may be in another folder.
std::vector<fs::path> template_files(const fs::path& file) {
  std::error_code ec;
  const fs::path target = fs::canonical(file, ec);
  if (ec || target == file) return {file};
  return {file, target};
}

}  // namespace

HotReload::HotReload(WatchOptions options, const Template& tmpl)
    : options_(std::move(options)),
      file_(tmpl.path),
      watcher_(options_.filter),
      folders_(deploy::code_folders(tmpl.functions)) {
  // Watches first: an edit made while the fingerprints are taken still makes a reload.
  watcher_.watch(template_files(file_), folders_);
  code_ = deploy::code_fingerprints(tmpl.functions, options_.filter);
  spdlog::info("hot reload: watching {} and {} code folders ({} inotify watches)", file_.string(),
               folders_.size(), watcher_.watch_count());
}

HotReload::~HotReload() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void HotReload::start(asio::any_io_executor io, Redeployer& target) {
  io_ = std::move(io);
  target_ = &target;
  thread_ = std::thread([this] { run(); });
}

void HotReload::stop() {
  stopped_ = true;
  watcher_.stop();
}

void HotReload::run() {
  try {
    while (!stopped_) {
      const auto changes = watcher_.wait(options_.quiet);
      if (!changes || stopped_) return;
      reload(*changes);
    }
  } catch (const std::exception& e) {
    spdlog::error("hot reload stopped: {}", e.what());
  }
}

void HotReload::reload(const deploy::ChangeWatcher::Changes& changes) {
  spdlog::info("hot reload: {}; loading {}", what_changed(changes), file_.string());
  Template tmpl;
  try {
    tmpl = deploy::load_template(file_, options_.parameter_overrides);
  } catch (const std::exception& e) {  // TemplateError, or the disk failing under the loader
    spdlog::error("hot reload: {} refused; the running deployment keeps serving:\n{}",
                  file_.filename().string(), e.what());
    // The same folders again: one deleted and made anew is watched from its new inode.
    watcher_.watch(template_files(file_), folders_);
    asio::post(io_, [target = target_] { target->refused(); });
    return;
  }
  for (const auto& warning : tmpl.warnings) spdlog::warn("{}: {}", file_.string(), warning);
  folders_ = deploy::code_folders(tmpl.functions);
  watcher_.watch(template_files(file_), folders_);  // before fingerprinting, as in the constructor
  auto code = deploy::code_fingerprints(tmpl.functions, options_.filter);
  target_->probe(tmpl);
  if (stopped_) return;
  asio::post(io_, [target = target_, tmpl = std::move(tmpl), code = std::move(code)] {
    try {
      const auto swapped = target->swap(tmpl, code);
      spdlog::info("hot reload: deployed {}: {}", tmpl.path.filename().string(),
                   Redeployer::summary(swapped));
    } catch (const AwsError& e) {
      spdlog::error("hot reload: {} refused; the running deployment keeps serving: {}",
                    tmpl.path.filename().string(), e.message);
    }
  });
}

}  // namespace lambdad::server
