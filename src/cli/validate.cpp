// `lambdad validate [TEMPLATE]`: check a SAM template and list every problem with its line.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHelp =
    "usage: lambdad validate [TEMPLATE] [--parameter-overrides K=V ...]\n"
    "\n"
    "Checks a SAM template the way 'lambdad serve' loads it and lists every problem with its\n"
    "line. TEMPLATE is a template file or a folder holding template.yaml / template.yml\n"
    "(default: the current folder).\n"
    "\n"
    "options:\n"
    "  --parameter-overrides K=V ...  template parameter values: one or more K=V words, or\n"
    "                                 'ParameterKey=K,ParameterValue=V' as sam takes them\n"
    "\n"
    "exit status: 0 valid (warnings go to stderr), 1 problems found, 2 usage error\n";

constexpr std::string_view kOverridesOption = "--parameter-overrides";

struct SplitArgs {
  std::vector<std::string_view> rest;  ///< for Options
  std::vector<std::string> overrides;  ///< the words given to --parameter-overrides
};

bool is_pair(std::string_view word) {
  const size_t eq = word.find('=');
  return eq != std::string_view::npos && eq > 0 && !word.starts_with("--");
}

// sam's --parameter-overrides takes several K=V words after one flag, which Options (one
// value per option) cannot express, so those words are taken out first.
SplitArgs take_overrides(Args args) {
  SplitArgs split;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg.starts_with(std::string(kOverridesOption) + "=")) {
      split.overrides.emplace_back(arg.substr(kOverridesOption.size() + 1));
    } else if (arg == kOverridesOption) {
      const size_t first = split.overrides.size();
      while (i + 1 < args.size() && is_pair(args[i + 1])) split.overrides.emplace_back(args[++i]);
      if (split.overrides.size() == first) {
        throw UsageError("--parameter-overrides needs KEY=VALUE pairs");
      }
    } else {
      split.rest.push_back(arg);
    }
  }
  return split;
}

void add_pair(std::map<std::string, std::string>& overrides, const std::string& word) {
  if (!is_pair(word)) {
    throw UsageError("--parameter-overrides takes KEY=VALUE pairs, got '" + word + "'");
  }
  const size_t eq = word.find('=');
  overrides[word.substr(0, eq)] = word.substr(eq + 1);
}

/// "ParameterKey=K,ParameterValue=V" (sam's long form).
void add_long_form(std::map<std::string, std::string>& overrides, const std::string& word) {
  const std::string key_tag = "ParameterKey=", value_tag = ",ParameterValue=";
  const size_t value_at = word.find(value_tag);
  if (!word.starts_with(key_tag) || value_at == std::string::npos) {
    throw UsageError("--parameter-overrides: expected ParameterKey=K,ParameterValue=V, got '" +
                     word + "'");
  }
  overrides[word.substr(key_tag.size(), value_at - key_tag.size())] =
      word.substr(value_at + value_tag.size());
}

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::map<std::string, std::string> parse_overrides(const std::vector<std::string>& given) {
  std::map<std::string, std::string> overrides;
  for (const auto& text : given) {
    const auto words = words_of(text);
    // 'A=1 B=2' in one argument is two pairs; 'Greeting=hello world' is one value with a space.
    const bool several = std::all_of(words.begin(), words.end(),
                                     [](const std::string& word) { return is_pair(word); });
    for (const auto& word : several ? words : std::vector<std::string>{text}) {
      if (word.starts_with("ParameterKey=")) {
        add_long_form(overrides, word);
      } else {
        add_pair(overrides, word);
      }
    }
  }
  return overrides;
}

std::string location(const fs::path& file, int line) {
  return file.string() + (line > 0 ? ":" + std::to_string(line) : "");
}

std::string shown_folder(const fs::path& dir, const fs::path& base) {
  const fs::path relative = dir.lexically_relative(base);
  if (relative.empty() || relative.native().starts_with("..")) return dir.string();
  return relative.string();
}

void print_summary(const fs::path& shown, const Template& tmpl) {
  const size_t count = tmpl.functions.size();
  std::printf("%s: valid SAM template (%zu function%s)\n", shown.c_str(), count,
              count == 1 ? "" : "s");
  const fs::path base = tmpl.path.parent_path();
  for (const auto& function : tmpl.functions) {
    std::printf("  %s: %s, handler %s, code %s\n", function.name.c_str(), function.runtime.c_str(),
                function.handler.empty() ? "(bootstrap)" : function.handler.c_str(),
                shown_folder(function.code_dir, base).c_str());
  }
  for (const auto& warning : tmpl.warning_lines) {
    std::fprintf(stderr, "%s: warning: %s\n", location(shown, warning.line).c_str(),
                 warning.message.c_str());
  }
}

int run(const Options& options, const std::map<std::string, std::string>& overrides) {
  const std::string path = options.positionals().empty() ? "." : options.positionals().front();
  fs::path shown = path;
  try {
    shown = deploy::find_template(path).lexically_normal();
    print_summary(shown, deploy::load_template(shown, overrides));
    return 0;
  } catch (const deploy::TemplateError& e) {
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
    const Options options(split.rest, {}, {});
    if (options.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (options.positionals().size() > 1) throw UsageError("validate takes one TEMPLATE");
    return run(options, parse_overrides(split.overrides));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad validate: %s\n\n%s", e.what(), kHelp);
    return 2;
  }
}

}  // namespace lambdad::cli
