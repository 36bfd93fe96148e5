#pragma once
/// @brief A small command-line parser shared by the subcommands: `--name VALUE`, `--name=VALUE`,
/// boolean `--flag`, and positionals. Unknown options are errors, reported by name.

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/cli/commands.hpp"

namespace lambdad::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Options {
 public:
  /// valued: options that take a value; flags: options that do not (`--help` is always known).
  Options(Args args, std::set<std::string, std::less<>> valued,
          std::set<std::string, std::less<>> flags);

  bool has(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string fallback) const;
  /// Every value of a repeatable option, in order (get() gives the last).
  std::vector<std::string> get_all(std::string_view name) const;
  /// An integer option within [min, max]; throws UsageError naming the option otherwise.
  long long get_int(std::string_view name, long long fallback, long long min, long long max) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::vector<std::string>, std::less<>> all_values_;
  std::set<std::string, std::less<>> flags_set_;
  std::vector<std::string> positionals_;
};

}  // namespace lambdad::cli
