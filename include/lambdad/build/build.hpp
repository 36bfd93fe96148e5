#pragma once
/// @brief `lambdad build`: what `sam build` does for the functions and layers of a SAM template,
/// writing `.aws-sam/build` in sam's layout (`template.yaml` with each built resource's CodeUri /
/// ContentUri naming its artifact folder, and one `<LogicalId>/` folder per built resource), so
/// that `lambdad serve` and `sam deploy` can take it.
///
/// Everything is built into a temporary folder beside the build folder, which replaces the old
/// build only when every step succeeded: a failed build keeps the previous one.

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/build/process_runner.hpp"

namespace lambdad::build {

/// A build that cannot go on: a missing tool, a step that failed, a template that does not load.
/// The message says which resource and what to do.
class BuildError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How one resource is built; sam's names for its workflows.
enum class Workflow { kCopy, kNpm, kEsbuild, kPip, kMakefile };

/// One function or layer to build, resolved from the template.
struct BuildItem {
  std::string logical_id;
  bool layer = false;
  std::string runtime;  ///< the function's Runtime, or the layer's BuildMethod runtime
  Workflow workflow = Workflow::kCopy;
  std::filesystem::path code_dir;                              ///< absolute source folder
  nlohmann::json build_properties = nlohmann::json::object();  ///< Metadata.BuildProperties
  int line = 0;
};

struct BuildOptions {
  std::filesystem::path template_file;  ///< the source template (found from PATH)
  std::map<std::string, std::string> parameter_overrides;
  std::filesystem::path build_dir;   ///< default: <template folder>/.aws-sam/build
  std::vector<std::string> only;     ///< logical ids to build; empty: all
  std::filesystem::path tool_cache;  ///< where esbuild is installed when the project has none
  std::string node = "node";         ///< unused by the builders themselves; for messages
  std::string python = "python3";    ///< interpreter whose pip installs requirements
};

/// The resources of the template that `lambdad build` builds, in template order. Throws
/// BuildError when the template does not load or names an unknown BuildMethod.
std::vector<BuildItem> plan_build(const BuildOptions& options);

/// Builds every item (or those in options.only) and swaps the result in. Progress goes to stdout.
/// Throws BuildError when a step fails; the previous build is then left as it was.
void run_build(const BuildOptions& options, ProcessRunner& runner);

/// The tool cache: $LAMBDAD_CACHE_DIR, else $XDG_CACHE_HOME/lambdad, else ~/.cache/lambdad.
std::filesystem::path default_tool_cache();

}  // namespace lambdad::build
