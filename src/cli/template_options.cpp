#include "lambdad/cli/template_options.hpp"

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "lambdad/build/needs_build.hpp"
#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::cli {

namespace fs = std::filesystem;

TemplateChoice choose_template(const std::string& path, bool use_build_dir) {
  TemplateChoice choice;
  choice.source = fs::absolute(deploy::find_template(path)).lexically_normal();
  choice.served = choice.source;
  if (use_build_dir) {
    if (auto built = deploy::build_template(choice.source)) choice.served = *built;
  }
  return choice;
}

std::string build_note(const TemplateChoice& choice) {
  if (!choice.from_build()) return "";
  const std::string name = choice.source.filename().string();
  return "(sam build output, newer than " + name + "; --no-build-dir uses " + name + ")";
}

LoadedTemplate load_template_or_report(const std::string& path,
                                       const std::map<std::string, std::string>& overrides,
                                       const Options& opts) {
  LoadedTemplate out;
  try {
    out.choice = choose_template(path, !opts.has("no-build-dir"));
    out.state_dir =
        opts.get_or("state-dir", (out.choice.source.parent_path() / ".lambdad").string());
    const fs::path& file = out.choice.served;
    const std::string note = build_note(out.choice);
    spdlog::info("serving {}{}{}", file.string(), note.empty() ? "" : " ", note);
    Template tmpl = deploy::load_template(
        file, deploy::LoadOptions{.parameter_overrides = overrides, .state_dir = out.state_dir});
    for (const auto& warning : tmpl.warning_lines) {
      std::fprintf(stderr, "%s:%d: warning: %s\n", file.c_str(), warning.line,
                   warning.message.c_str());
    }
    // Functions that would fail at their first request until they are built.
    for (const auto& warning : build::needs_build_warnings(tmpl)) {
      std::fprintf(stderr, "%s:%d: warning: %s\n", file.c_str(), warning.line,
                   warning.message.c_str());
    }
    out.tmpl = std::move(tmpl);
    return out;
  } catch (const deploy::TemplateError& e) {
    for (const auto& warning : e.warnings()) {
      std::fprintf(stderr, "%s:%d: warning: %s\n", e.file().c_str(), warning.line,
                   warning.message.c_str());
    }
    for (const auto& problem : e.problems()) {
      std::fprintf(stderr, "%s:%d: error: %s\n", e.file().c_str(), problem.line,
                   problem.message.c_str());
    }
    if (e.problems().empty()) std::fprintf(stderr, "%s: error: %s\n", e.file().c_str(), e.what());
    out.tmpl = {};
    return out;
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
