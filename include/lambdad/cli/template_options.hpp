#pragma once
/// @brief What `serve` and `invoke` share: loading the template with its parameter overrides,
/// printing its warnings or problems, and the log level.

#include <map>
#include <string>

#include "lambdad/cli/options.hpp"
#include "lambdad/common/function_config.hpp"

namespace lambdad::cli {

/// Loads PATH (file or folder) with parameter overrides. Prints warnings and problems to stderr as
/// `file:line: warning|error: message`; returns a Template with an empty path on failure.
Template load_template_or_report(const std::string& path,
                                 const std::map<std::string, std::string>& overrides);

/// `--log-level` (default info); the server's own log goes to stderr.
void apply_log_level(const Options& options);

}  // namespace lambdad::cli
