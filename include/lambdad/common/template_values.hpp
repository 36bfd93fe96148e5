#pragma once
/// @brief Reading settings out of resolved template properties (nlohmann::json), which keep YAML's
/// types: `10` is a number but `"10"` a string, and CloudFormation takes both.
///
/// Thread safety: pure functions.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/common/json_member.hpp"  // json_value: the member to read these from

namespace lambdad {

/// A number: a JSON number or a numeric string.
std::optional<double> number_of(const nlohmann::json& value);

/// A boolean: true / false, or their text in any case.
std::optional<bool> flag_of(const nlohmann::json& value);

/// A string, or "" for anything else.
std::string text_of(const nlohmann::json& value);

/// A list of strings (a lone string is a list of one); other items are left out.
std::vector<std::string> strings_of(const nlohmann::json& value);

}  // namespace lambdad
