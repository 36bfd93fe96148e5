#pragma once
/// @brief What the readers of resources share while one template loads.

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "intrinsics.hpp"
#include "problems.hpp"

namespace lambdad::deploy {

struct LoadContext {
  std::filesystem::path dir;  ///< the template's folder, absolute
  Problems& problems;
  Resolver& resolver;
  /// Where archives and InlineCode become folders (`<state-dir>/code`, code_archive.hpp).
  std::filesystem::path code_root;
  /// The .zip / .jar files code was unpacked from, absolute (hot reload watches them).
  std::vector<std::filesystem::path> archives;
  /// Every resource whose Condition holds, logical id -> Type.
  std::map<std::string, std::string> resource_types;
  /// AWS::Serverless::LayerVersion logical id -> its local ContentUri folder.
  std::map<std::string, std::filesystem::path> layer_dirs;
  /// Files read besides the template (OpenAPI documents), for Template::documents.
  std::vector<std::filesystem::path> documents;
  /// CodeUri / ContentUri / Layers paths that do not exist yet (build output), absolute, as
  /// local_folder returned them: the functions that use one get it in missing_code.
  std::set<std::filesystem::path> missing_code;

  void error(int line, const std::string& who, const std::string& message) {
    problems.error(line, who + ": " + message);
  }
  void warning(int line, const std::string& who, const std::string& message) {
    problems.warning(line, who + ": " + message);
  }
  bool is_type(const std::string& logical_id, std::string_view type) const {
    auto it = resource_types.find(logical_id);
    return it != resource_types.end() && it->second == type;
  }
};

/// A CodeUri / ContentUri / Layers entry: a local folder, relative to the template's folder, or
/// a local .zip / .jar file, unpacked into code_root (the folder it became is returned).
/// nullopt (reported) for S3 locations, bad archives and unresolvable values. A folder or
/// archive that does not exist yet is a build output (`sam local` loads such a template): a
/// warning saying what to run, and its absolute path is returned and put in missing_code.
std::optional<std::filesystem::path> local_folder(const Node& value, const std::string& who,
                                                  const std::string& property, LoadContext& ctx);

}  // namespace lambdad::deploy
