#pragma once
/// @brief What `serve`, `invoke` and `validate` share: finding the template (or `sam build`'s
/// output), loading it with its parameter overrides and state dir, printing its warnings or
/// problems, and the log level.

#include <filesystem>
#include <map>
#include <string>

#include "lambdad/cli/options.hpp"
#include "lambdad/common/function_config.hpp"

namespace lambdad::cli {

struct TemplateChoice {
  std::filesystem::path source;  ///< the project's template
  std::filesystem::path served;  ///< source, or `.aws-sam/build/template.yaml`
  bool from_build() const { return served != source; }
};

/// PATH (file or folder) → its template, and `sam build`'s output instead when that exists and
/// is newer, as `sam local` does (unless use_build_dir is false). Throws deploy::TemplateError.
TemplateChoice choose_template(const std::string& path, bool use_build_dir);

/// "(sam build output, newer than template.yaml; --no-build-dir uses template.yaml)", or "".
std::string build_note(const TemplateChoice& choice);

struct LoadedTemplate {
  Template tmpl;  ///< an empty path when loading failed (reported)
  TemplateChoice choice;
  std::filesystem::path state_dir;  ///< --state-dir, else .lambdad beside the project's template
};

/// Loads PATH (see choose_template; `--no-build-dir` in opts turns the build output off) with
/// parameter overrides, unpacking archives and InlineCode into the state dir (`--state-dir` in
/// opts). Logs which template it serves; prints warnings and problems to stderr as
/// `file:line: warning|error: message`.
LoadedTemplate load_template_or_report(const std::string& path,
                                       const std::map<std::string, std::string>& overrides,
                                       const Options& opts);

/// `--log-level` (default info); the server's own log goes to stderr.
void apply_log_level(const Options& options);

}  // namespace lambdad::cli
