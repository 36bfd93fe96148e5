#pragma once
// The JSONPath subset EventBridge accepts in InputPath and InputPathsMap: `$`, then any number of
// `.name`, `[index]` and `['name']` / `["name"]` steps. No wildcards, filters or slices.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lambdad::events::detail {

struct JsonPath {
  std::vector<std::variant<std::string, std::size_t>> steps;  ///< member names and indexes
};

/// The path, or nothing when `text` is not in the subset.
std::optional<JsonPath> parse_json_path(std::string_view text);

/// The value at `path` in `document`, or nullptr when any step is missing.
const nlohmann::json* resolve(const JsonPath& path, const nlohmann::json& document);

}  // namespace lambdad::events::detail
