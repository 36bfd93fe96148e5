#include "lambdad/cli/template_options.hpp"

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::cli {
namespace {}  // namespace

Template load_template_or_report(const std::string& path,
                                 const std::map<std::string, std::string>& overrides) {
  std::filesystem::path file;
  try {
    file = deploy::find_template(path);
    Template tmpl = deploy::load_template(file, overrides);
    for (const auto& warning : tmpl.warning_lines) {
      std::fprintf(stderr, "%s:%d: warning: %s\n", file.c_str(), warning.line,
                   warning.message.c_str());
    }
    return tmpl;
  } catch (const deploy::TemplateError& e) {
    for (const auto& problem : e.problems()) {
      std::fprintf(stderr, "%s:%d: error: %s\n", e.file().c_str(), problem.line,
                   problem.message.c_str());
    }
    if (e.problems().empty()) std::fprintf(stderr, "%s: error: %s\n", e.file().c_str(), e.what());
    return {};
  }
}

void apply_log_level(const Options& options) {
  auto logger = spdlog::stderr_color_mt("lambdad");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  std::string level = options.get_or("log-level", "info");
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw UsageError("--log-level takes trace, debug, info, warn, error or off");
  }
  spdlog::set_level(parsed);
}

}  // namespace lambdad::cli
