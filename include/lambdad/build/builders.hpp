#pragma once
/// @brief One builder per sam workflow (src/build/<workflow>_builder.cpp). Each fills `artifact`
/// (an empty folder) from the item's source folder, running its tools through the runner;
/// each throws BuildError naming the resource and the step that failed.

#include <filesystem>
#include <string>
#include <vector>

#include "lambdad/build/build.hpp"

namespace lambdad::build {

struct BuildContext {
  ProcessRunner& runner;
  const BuildOptions& options;
  /// Folders never copied into an artifact (the build folder itself, its temp sibling, the
  /// state dir), as absolute paths.
  std::vector<std::filesystem::path> excluded;
};

/// Copies `from` into `to` (created), skipping `excluded` folders and, when `skip_node_modules`,
/// every `node_modules` folder. Symlinks are copied as symlinks, modes kept.
void copy_source(const std::filesystem::path& from, const std::filesystem::path& to,
                 const std::vector<std::filesystem::path>& excluded, bool skip_node_modules);

void build_copy(const BuildItem& item, const std::filesystem::path& artifact, BuildContext& ctx);
void build_npm(const BuildItem& item, const std::filesystem::path& artifact, BuildContext& ctx);
void build_esbuild(const BuildItem& item, const std::filesystem::path& artifact, BuildContext& ctx);
void build_pip(const BuildItem& item, const std::filesystem::path& artifact, BuildContext& ctx);
void build_makefile(const BuildItem& item, const std::filesystem::path& artifact,
                    BuildContext& ctx);

/// esbuild's arguments for an item, as sam's esbuild workflow maps BuildProperties (exposed for
/// the unit tests). `source` is where the entry points are looked up.
std::vector<std::string> esbuild_arguments(const BuildItem& item,
                                           const std::filesystem::path& source,
                                           const std::filesystem::path& outdir);

/// Whether package.json in `folder` lists `dependencies` (installing then has work to do).
bool package_has_dependencies(const std::filesystem::path& folder);
/// The package names in requirements.txt (comments, blank lines and options left out; an
/// option such as `-r other.txt` counts as something for pip to do).
std::vector<std::string> requirement_names(const std::filesystem::path& requirements,
                                           bool* has_options = nullptr);

}  // namespace lambdad::build
