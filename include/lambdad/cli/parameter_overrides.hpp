#pragma once
/// @brief `--parameter-overrides` as sam takes it: one or more `K=V` words after one flag, or
/// `ParameterKey=K,ParameterValue=V`. Shared by serve, invoke and validate.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/cli/commands.hpp"

namespace lambdad::cli {

struct SplitArgs {
  std::vector<std::string_view> rest;  ///< for Options
  std::vector<std::string> overrides;  ///< the words given to --parameter-overrides
};

/// Takes the override words out of `args` (Options allows one value per option); throws UsageError.
SplitArgs take_overrides(Args args);
/// Throws UsageError on a word that is not a pair.
std::map<std::string, std::string> parse_overrides(const std::vector<std::string>& given);

}  // namespace lambdad::cli
