#include "lambdad/cli/options.hpp"

#include <charconv>

namespace lambdad::cli {

Options::Options(Args args, std::set<std::string, std::less<>> valued,
                 std::set<std::string, std::less<>> flags) {
  flags.insert("help");
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h") arg = "--help";
    if (arg.size() < 3 || !arg.starts_with("--")) {
      positionals_.emplace_back(arg);
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      inline_value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    if (valued.contains(name)) {
      if (inline_value) {
        values_[std::string(name)] = *inline_value;
      } else if (i + 1 < args.size()) {
        values_[std::string(name)] = std::string(args[++i]);
      } else {
        throw UsageError("option --" + std::string(name) + " needs a value");
      }
      all_values_[std::string(name)].push_back(values_[std::string(name)]);
    } else if (flags.contains(name) && !inline_value) {
      flags_set_.emplace(name);
    } else {
      throw UsageError("unknown option --" + std::string(name));
    }
  }
}

bool Options::has(std::string_view name) const {
  return flags_set_.contains(name) || values_.contains(name);
}

std::optional<std::string> Options::get(std::string_view name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  return std::nullopt;
}

std::string Options::get_or(std::string_view name, std::string fallback) const {
  return get(name).value_or(std::move(fallback));
}

std::vector<std::string> Options::get_all(std::string_view name) const {
  if (auto it = all_values_.find(name); it != all_values_.end()) return it->second;
  return {};
}

long long Options::get_int(std::string_view name, long long fallback, long long min,
                           long long max) const {
  auto text = get(name);
  if (!text) return fallback;
  long long value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw UsageError("option --" + std::string(name) + " takes a whole number from " +
                     std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

}  // namespace lambdad::cli
