#include "lambdad/cli/parameter_overrides.hpp"

#include <algorithm>
#include <sstream>

#include "lambdad/cli/options.hpp"

namespace lambdad::cli {
namespace {

constexpr std::string_view kOverridesOption = "--parameter-overrides";

bool is_pair(std::string_view word) {
  const size_t eq = word.find('=');
  return eq != std::string_view::npos && eq > 0 && !word.starts_with("--");
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

}  // namespace

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

}  // namespace lambdad::cli
