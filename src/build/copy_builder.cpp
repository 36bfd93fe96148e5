// The copy workflow (provided* functions without a BuildMethod) and the source copy every other
// workflow starts from.
#include <cstdio>
#include <system_error>

#include "lambdad/build/builders.hpp"
#include "steps.hpp"

namespace lambdad::build {
namespace {

namespace fs = std::filesystem;

bool is_excluded(const fs::path& path, const std::vector<fs::path>& excluded) {
  for (const auto& e : excluded) {
    if (path == e) return true;
  }
  return false;
}

}  // namespace

void say(const BuildItem& item, const std::string& text) {
  std::printf("[%s] %s\n", item.logical_id.c_str(), text.c_str());
  std::fflush(stdout);
}

void run_step(BuildContext& ctx, const BuildItem& item, const Command& command,
              const std::string& what) {
  say(item, "running: " + command.describe());
  const int status = ctx.runner.run(command, item.logical_id);
  if (status != 0) {
    throw BuildError((item.layer ? "layer '" : "function '") + item.logical_id + "': " + what +
                     " failed (exit status " + std::to_string(status) + "); see its output above");
  }
}

fs::path layer_root(const BuildItem& item, const fs::path& artifact) {
  if (!item.layer) return artifact;
  if (item.workflow == Workflow::kNpm) return artifact / "nodejs";
  if (item.workflow == Workflow::kPip) return artifact / "python";
  return artifact;
}

void copy_source(const fs::path& from, const fs::path& to, const std::vector<fs::path>& excluded,
                 bool skip_node_modules) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) throw BuildError("cannot create " + to.string() + ": " + ec.message());
  for (auto it = fs::directory_iterator(from, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path& source = it->path();
    const std::string name = source.filename().string();
    // As sam's builders: never the build output itself, nor the repository's history.
    if (name == ".aws-sam" || name == ".git" || is_excluded(source, excluded)) continue;
    if (skip_node_modules && name == "node_modules") continue;
    const fs::path target = to / source.filename();
    const auto status = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(status)) {
      fs::copy_symlink(source, target, ec);
    } else if (fs::is_directory(status)) {
      copy_source(source, target, excluded, skip_node_modules);
      fs::permissions(target, status.permissions(), ec);
    } else {
      fs::copy_file(source, target, fs::copy_options::overwrite_existing, ec);
    }
    if (ec) throw BuildError("cannot copy " + source.string() + ": " + ec.message());
  }
  if (ec) throw BuildError("cannot read " + from.string() + ": " + ec.message());
}

void build_copy(const BuildItem& item, const fs::path& artifact, BuildContext& ctx) {
  say(item, "copying " + item.code_dir.string());
  copy_source(item.code_dir, layer_root(item, artifact), ctx.excluded, false);
}

}  // namespace lambdad::build
