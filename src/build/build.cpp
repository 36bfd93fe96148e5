// `lambdad build`: every resource built into a temporary folder beside the build folder, which
// replaces the old build only when all of them succeeded.
#include "lambdad/build/build.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <system_error>

#include "lambdad/build/build_template.hpp"
#include "lambdad/build/builders.hpp"

namespace lambdad::build {
namespace {

namespace fs = std::filesystem;

const char* workflow_name(Workflow w) {
  switch (w) {
    case Workflow::kCopy:
      return "copy";
    case Workflow::kNpm:
      return "npm";
    case Workflow::kEsbuild:
      return "esbuild";
    case Workflow::kPip:
      return "pip";
    case Workflow::kMakefile:
      return "makefile";
  }
  return "?";
}

void build_item(const BuildItem& item, const fs::path& artifact, BuildContext& ctx) {
  switch (item.workflow) {
    case Workflow::kCopy:
      return build_copy(item, artifact, ctx);
    case Workflow::kNpm:
      return build_npm(item, artifact, ctx);
    case Workflow::kEsbuild:
      return build_esbuild(item, artifact, ctx);
    case Workflow::kPip:
      return build_pip(item, artifact, ctx);
    case Workflow::kMakefile:
      return build_makefile(item, artifact, ctx);
  }
}

/// Removes a folder when the build does not get as far as swapping it in.
struct TempFolder {
  fs::path path;
  bool keep = false;
  ~TempFolder() {
    std::error_code ec;
    if (!keep) fs::remove_all(path, ec);
  }
};

fs::path absolute_clean(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : out;
}

}  // namespace

fs::path default_tool_cache() {
  if (const char* dir = std::getenv("LAMBDAD_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "lambdad";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".cache" / "lambdad";
  }
  return fs::temp_directory_path() / "lambdad-cache";
}

void run_build(const BuildOptions& options, ProcessRunner& runner) {
  std::vector<BuildItem> items = plan_build(options);
  for (const auto& id : options.only) {
    if (std::none_of(items.begin(), items.end(),
                     [&](const auto& i) { return i.logical_id == id; })) {
      throw BuildError("no function or layer named '" + id + "' to build in " +
                       options.template_file.string());
    }
  }
  if (!options.only.empty()) {
    std::erase_if(items, [&](const BuildItem& i) {
      return std::find(options.only.begin(), options.only.end(), i.logical_id) ==
             options.only.end();
    });
  }
  for (const auto& item : items) {
    if (!fs::is_directory(item.code_dir)) {
      throw BuildError((item.layer ? "layer '" : "function '") + item.logical_id +
                       "': " + item.code_dir.string() + " is not a folder");
    }
  }

  const fs::path build_dir = absolute_clean(options.build_dir);
  std::error_code ec;
  fs::create_directories(build_dir.parent_path(), ec);
  if (ec)
    throw BuildError("cannot create " + build_dir.parent_path().string() + ": " + ec.message());
  TempFolder temp{build_dir.parent_path() /
                  (build_dir.filename().string() + ".tmp-" + std::to_string(::getpid()))};
  fs::remove_all(temp.path, ec);
  fs::create_directories(temp.path, ec);
  if (ec) throw BuildError("cannot create " + temp.path.string() + ": " + ec.message());

  const fs::path template_dir = absolute_clean(options.template_file.parent_path());
  BuildContext ctx{runner, options, {build_dir, temp.path, template_dir / ".lambdad"}};
  std::set<std::string> built;
  // Building some resources keeps the artifacts of the others from the previous build.
  if (!options.only.empty() && fs::is_directory(build_dir)) {
    for (const auto& entry : fs::directory_iterator(build_dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_directory() ||
          std::find(options.only.begin(), options.only.end(), name) != options.only.end()) {
        continue;
      }
      fs::copy(entry.path(), temp.path / name,
               fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
      if (ec) throw BuildError("cannot keep " + entry.path().string() + ": " + ec.message());
      built.insert(name);
    }
  }
  for (const auto& item : items) {
    std::printf("[%s] building %s %s (%s, %s)\n", item.logical_id.c_str(),
                item.layer ? "layer" : "function", item.logical_id.c_str(), item.runtime.c_str(),
                workflow_name(item.workflow));
    std::fflush(stdout);
    const fs::path artifact = temp.path / item.logical_id;
    fs::remove_all(artifact, ec);
    fs::create_directories(artifact, ec);
    if (ec) throw BuildError("cannot create " + artifact.string() + ": " + ec.message());
    build_item(item, artifact, ctx);
    built.insert(item.logical_id);
  }
  {
    std::ofstream out(temp.path / "template.yaml");
    out << build_template_text(options.template_file, build_dir, built);
    if (!out) throw BuildError("cannot write " + (temp.path / "template.yaml").string());
  }
  // The swap: the old build moves aside, the new one takes its name, the old one goes.
  const fs::path old = build_dir.parent_path() /
                       (build_dir.filename().string() + ".old-" + std::to_string(::getpid()));
  fs::remove_all(old, ec);
  const bool had_build = fs::exists(build_dir);
  if (had_build) {
    fs::rename(build_dir, old, ec);
    if (ec) throw BuildError("cannot move the old build aside: " + ec.message());
  }
  fs::rename(temp.path, build_dir, ec);
  if (ec) {
    std::error_code ignored;
    if (had_build) fs::rename(old, build_dir, ignored);
    throw BuildError("cannot move the new build into place: " + ec.message());
  }
  temp.keep = true;
  fs::remove_all(old, ec);
}

}  // namespace lambdad::build
