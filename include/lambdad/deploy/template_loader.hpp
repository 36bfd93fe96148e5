#pragma once
/// @brief Loads a SAM template (yaml-cpp) into a resolved lambdad::Template.

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "lambdad/common/function_config.hpp"

namespace lambdad::deploy {

struct TemplateProblem {
  int line = 0;  ///< 1-based; 0 when the problem is not tied to a line
  std::string message;
};

/// Every problem found in one template, not just the first, and the warnings found beside them
/// (a user fixing the errors wants to see those too).
class TemplateError : public std::runtime_error {
 public:
  TemplateError(std::filesystem::path file, std::vector<TemplateProblem> problems,
                std::vector<TemplateProblem> warnings = {});
  const std::filesystem::path& file() const { return file_; }
  const std::vector<TemplateProblem>& problems() const { return problems_; }
  const std::vector<TemplateProblem>& warnings() const { return warnings_; }

 private:
  std::filesystem::path file_;
  std::vector<TemplateProblem> problems_;
  std::vector<TemplateProblem> warnings_;
};

/// PATH is a template file or a folder holding template.yaml / template.yml.
/// Throws TemplateError when there is no template there.
std::filesystem::path find_template(const std::filesystem::path& path);

struct LoadOptions {
  std::map<std::string, std::string> parameter_overrides;
  /// The server's state dir: `.zip` / `.jar` code and InlineCode become folders below
  /// `<state_dir>/code/` (code_archive.hpp). Empty: `.lambdad` beside the template, the
  /// default of `serve --state-dir`.
  std::filesystem::path state_dir;
};

/// Parses, resolves Parameters / !Ref / !Sub / Globals, and checks the template.
/// Throws TemplateError listing every problem with its line.
Template load_template(const std::filesystem::path& file, const LoadOptions& options);
Template load_template(const std::filesystem::path& file,
                       const std::map<std::string, std::string>& parameter_overrides = {});

/// `sam build`'s output for `source`: `.aws-sam/build/template.yaml` beside it, when that exists
/// and was written after `source` (what `sam local` serves); nullopt otherwise.
std::optional<std::filesystem::path> build_template(const std::filesystem::path& source);

}  // namespace lambdad::deploy
