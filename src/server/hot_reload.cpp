#include "lambdad/server/hot_reload.hpp"

#include <utility>

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

/// Code folders worth watching: not lambdad's own unpacked copies in the (excluded) state dir,
/// whose archives are watched instead.
std::vector<fs::path> watched_folders(const Template& tmpl, const deploy::PathFilter& filter) {
  std::vector<fs::path> out;
  for (auto& dir : deploy::code_folders(tmpl.functions)) {
    if (!filter.ignored(dir)) out.push_back(std::move(dir));
  }
  return out;
}

}  // namespace

HotReload::HotReload(WatchOptions options, const Template& tmpl)
    : options_(std::move(options)),
      file_(tmpl.path),
      watcher_(options_.filter),
      folders_(watched_folders(tmpl, options_.filter)),
      files_(watched_files(tmpl)) {
  // Watches first: an edit made while the fingerprints are taken still makes a reload.
  watcher_.watch(files_, folders_);
  built_meanwhile_ = built_meanwhile(tmpl);
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
      if (auto path = std::exchange(built_meanwhile_, std::nullopt)) {
        reload({.events = 1, .samples = {*path}});
        continue;
      }
      const auto changes = watcher_.wait(options_.quiet);
      if (!changes || stopped_) return;
      reload(*changes);
    }
  } catch (const std::exception& e) {
    spdlog::error("hot reload stopped: {}", e.what());
  }
}

std::vector<fs::path> HotReload::watched_files(const Template& tmpl) const {
  std::vector<fs::path> out = template_files(file_);
  if (!options_.source_template.empty()) {
    const fs::path& source = options_.source_template;
    for (auto& file : template_files(source)) out.push_back(std::move(file));
    // `.aws-sam/build/template.yaml`, watched through the folders that hold it, from the
    // deepest one that exists: `sam build` makes them anew.
    const fs::path project = source.parent_path();
    const fs::path levels[] = {project / ".aws-sam", project / ".aws-sam" / "build",
                               project / ".aws-sam" / "build" / "template.yaml"};
    for (const auto& level : levels) {
      std::error_code ec;
      if (!fs::is_directory(level.parent_path(), ec)) break;
      out.push_back(level);
    }
  }
  for (const auto& archive : tmpl.archives) out.push_back(archive);
  // The OpenAPI documents it reads (DefinitionUri, AWS::Include): an edit there is a new API.
  for (const auto& document : tmpl.documents) out.push_back(document);
  return out;
}

std::optional<fs::path> HotReload::built_meanwhile(const Template& tmpl) {
  for (const auto& function : tmpl.functions) {
    for (const auto& path : function.missing_code) {
      std::error_code ec;
      if (fs::exists(path, ec)) return path;
    }
  }
  return std::nullopt;
}

void HotReload::choose_template() {
  const fs::path& source = options_.source_template;
  if (source.empty()) return;
  const auto built = deploy::build_template(source);
  const fs::path next = built ? *built : source;
  if (next == file_) return;
  if (built) {
    spdlog::info("hot reload: serving {} (sam build output, newer than {})", next.string(),
                 source.filename().string());
  } else {
    spdlog::info("hot reload: serving {} ({} is newer than the sam build output, or there is none)",
                 next.string(), source.filename().string());
  }
  file_ = next;
}

void HotReload::reload(const deploy::ChangeWatcher::Changes& changes) {
  choose_template();
  spdlog::info("hot reload: {}; loading {}", what_changed(changes), file_.string());
  Template tmpl;
  try {
    tmpl = deploy::load_template(
        file_, deploy::LoadOptions{.parameter_overrides = options_.parameter_overrides,
                                   .state_dir = options_.state_dir});
  } catch (const std::exception& e) {  // TemplateError, or the disk failing under the loader
    if (const auto* problems = dynamic_cast<const deploy::TemplateError*>(&e)) {
      for (const auto& warning : problems->warnings()) {
        spdlog::warn("{}:{}: {}", file_.string(), warning.line, warning.message);
      }
    }
    spdlog::error("hot reload: {} refused; the running deployment keeps serving:\n{}",
                  file_.filename().string(), e.what());
    // The same folders again: one deleted and made anew is watched from its new inode.
    auto files = watched_files(Template{});
    files.insert(files.end(), files_.begin(), files_.end());
    watcher_.watch(files, folders_);
    asio::post(io_, [target = target_] { target->refused(); });
    return;
  }
  for (const auto& warning : tmpl.warnings) spdlog::warn("{}: {}", file_.string(), warning);
  folders_ = watched_folders(tmpl, options_.filter);
  files_ = watched_files(tmpl);
  watcher_.watch(files_, folders_);  // before fingerprinting, as in the constructor
  built_meanwhile_ = built_meanwhile(tmpl);
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
