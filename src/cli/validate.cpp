// `lambdad validate [TEMPLATE]`: check a SAM template and list every problem with its line.
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "lambdad/build/needs_build.hpp"
#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/cli/parameter_overrides.hpp"
#include "lambdad/cli/template_options.hpp"
#include "lambdad/deploy/template_loader.hpp"
#include "lambdad/scheduler/runtimes.hpp"

namespace lambdad::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHelp =
    "usage: lambdad validate [TEMPLATE] [--no-build-dir] [--parameter-overrides K=V ...]\n"
    "\n"
    "Checks a SAM template the way 'lambdad serve' loads it and lists every problem with its\n"
    "line. TEMPLATE is a template file or a folder holding template.yaml / template.yml\n"
    "(default: the current folder).\n"
    "\n"
    "When sam build's output, .aws-sam/build/template.yaml, is newer than the template, that is\n"
    "what 'lambdad serve' runs, so that is what is checked (the first line says so).\n"
    ".zip / .jar code is unzipped into a temporary folder, checked and removed.\n"
    "\n"
    "options:\n"
    "  --no-build-dir                 check the template even when sam build's output is newer\n"
    "  --parameter-overrides K=V ...  template parameter values: one or more K=V words, or\n"
    "                                 'ParameterKey=K,ParameterValue=V' as sam takes them\n"
    "\n"
    "A nodejs* or python* function needs the machine's node or python3 (another version than\n"
    "the one named runs, with a warning).\n"
    "\n"
    "exit status: 0 valid (warnings go to stderr), 1 problems found, 2 usage error\n";

std::string location(const fs::path& file, int line) {
  std::string text = file.string();
  if (line > 0) text.append(":").append(std::to_string(line));
  return text;
}

std::string shown_folder(const fs::path& dir, const fs::path& base) {
  const fs::path relative = dir.lexically_relative(base);
  if (relative.empty() || relative.native().starts_with("..")) return dir.string();
  return relative.string();
}

void print_summary(const fs::path& shown, const Template& tmpl, const std::string& note) {
  const size_t count = tmpl.functions.size();
  std::printf("%s: valid SAM template (%zu function%s)%s%s\n", shown.c_str(), count,
              count == 1 ? "" : "s", note.empty() ? "" : " ", note.c_str());
  const fs::path base = tmpl.path.parent_path();
  for (const auto& function : tmpl.functions) {
    const std::string code =
        function.code_source.empty() ? shown_folder(function.code_dir, base) : function.code_source;
    std::printf("  %s: %s, handler %s, code %s%s\n", function.name.c_str(),
                function.runtime.c_str(),
                function.handler.empty() ? "(bootstrap)" : function.handler.c_str(), code.c_str(),
                function.missing_code.empty() ? "" : " (not built yet)");
  }
  for (const auto& warning : tmpl.warning_lines) {
    std::fprintf(stderr, "%s: warning: %s\n", location(shown, warning.line).c_str(),
                 warning.message.c_str());
  }
  for (const auto& warning : build::needs_build_warnings(tmpl)) {
    std::fprintf(stderr, "%s: warning: %s\n", location(shown, warning.line).c_str(),
                 warning.message.c_str());
  }
}

/// Each function's interpreter must be on this machine; another version is only a warning.
bool check_runtimes(const fs::path& shown, const Template& tmpl) {
  scheduler::Runtimes runtimes;
  runtimes.probe(&tmpl.functions);
  const auto check = runtimes.check(tmpl.functions);
  for (const auto& warning : check.warnings) {
    std::fprintf(stderr, "%s: warning: %s\n", location(shown, warning.line).c_str(),
                 warning.message.c_str());
  }
  for (const auto& error : check.errors) {
    std::fprintf(stderr, "%s: error: %s\n", location(shown, error.line).c_str(),
                 error.message.c_str());
  }
  return check.errors.empty();
}

/// A state dir of validate's own, so that archives are unzipped completely (every check that
/// serve makes) and nothing is left in the project.
class ScratchStateDir {
 public:
  ScratchStateDir() {
    std::string pattern = (fs::temp_directory_path() / "lambdad-validate-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary folder: " +
                               std::string(std::strerror(errno)));
    }
    path_ = pattern;
  }
  ~ScratchStateDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchStateDir(const ScratchStateDir&) = delete;
  ScratchStateDir& operator=(const ScratchStateDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

int run(const Options& options, const std::map<std::string, std::string>& overrides) {
  const std::string path = options.positionals().empty() ? "." : options.positionals().front();
  fs::path shown = path;
  try {
    const TemplateChoice choice = choose_template(path, !options.has("no-build-dir"));
    shown = deploy::find_template(path).lexically_normal();
    if (choice.from_build()) {
      shown = choice.served.lexically_relative(fs::current_path());
      if (shown.empty() || shown.native().starts_with("..")) shown = choice.served;
    }
    const ScratchStateDir scratch;
    const Template tmpl = deploy::load_template(
        choice.served, {.parameter_overrides = overrides, .state_dir = scratch.path()});
    print_summary(shown, tmpl, build_note(choice));
    return check_runtimes(shown, tmpl) ? 0 : 1;
  } catch (const deploy::TemplateError& e) {
    for (const auto& warning : e.warnings()) {
      std::fprintf(stderr, "%s: warning: %s\n", location(shown, warning.line).c_str(),
                   warning.message.c_str());
    }
    for (const auto& problem : e.problems()) {
      std::fprintf(stderr, "%s: error: %s\n", location(shown, problem.line).c_str(),
                   problem.message.c_str());
    }
    return 1;
  }
}

}  // namespace

int validate(Args args) {
  try {
    const SplitArgs split = take_overrides(args);
    const Options options(split.rest, {}, {"no-build-dir"});
    if (options.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (options.positionals().size() > 1) throw UsageError("validate takes one TEMPLATE");
    return run(options, parse_overrides(split.overrides));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad validate: %s\n\n%s", e.what(), kHelp);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdad validate: %s\n", e.what());
    return 1;
  }
}

}  // namespace lambdad::cli
