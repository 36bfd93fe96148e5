#pragma once
/// @brief What hot reload compares between two deployments of a folder: a fingerprint of each
/// function's code and layer folders, made from every entry's relative path, type, mode, size,
/// mtime and inode (no file is read, so a big node_modules costs one stat per file), and the
/// paths that neither a fingerprint nor a watch looks at.
///
/// Thread safety: plain functions that walk the disk: call them off the io thread.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/common/function_config.hpp"

namespace lambdad::deploy {

/// Paths that are not code: what the server or a function writes, and editors' and Python's
/// scratch files.
struct PathFilter {
  /// Absolute folders left out with everything below them (the state dir, folders workers may
  /// write).
  std::vector<std::filesystem::path> excluded;

  /// Adds a folder to `excluded`, made absolute and canonical as the template's paths are.
  void exclude(const std::filesystem::path& dir);

  /// Editor temp files (`*.swp`, `*.swx`, `*~`, vim's `4913`, emacs' `.#*` and `#*#`), Python's
  /// `__pycache__` (written into the code folder when it is writable) and `.git`.
  static bool ignored_name(std::string_view name);
  /// An ignored name, or a path at or under an excluded folder.
  bool ignored(const std::filesystem::path& path) const;
};

/// Whether `path` is `dir` or below it, by whole components ("/a/bc" is not below "/a/b").
bool path_within(const std::filesystem::path& path, const std::filesystem::path& dir);

/// Hex SHA-256 over the entries below `dir` that the filter keeps; "" when `dir` is not a
/// readable folder (an unknown fingerprint never matches).
std::string tree_fingerprint(const std::filesystem::path& dir, const PathFilter& filter);

/// Function name → fingerprint of its code folder and its layers (in order); "" when one of
/// them cannot be read. A folder the filter excludes (an archive unpacked into the state dir,
/// named by its hash) is fingerprinted by its path.
std::map<std::string, std::string> code_fingerprints(const std::vector<FunctionConfig>& functions,
                                                     const PathFilter& filter);

/// Every folder the functions' code comes from (code folders and layers), each once.
std::vector<std::filesystem::path> code_folders(const std::vector<FunctionConfig>& functions);

}  // namespace lambdad::deploy
