// The JSONPath subset of target inputs (json_path.hpp).

#include "json_path.hpp"

#include <charconv>

namespace lambdad::events::detail {

std::optional<JsonPath> parse_json_path(std::string_view text) {
  if (text.empty() || text[0] != '$') return std::nullopt;
  JsonPath path;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      // A member name runs to the next step; EventBridge's names keep `-` and the like
      // (`$.detail-type`, `$.detail.instance-id`).
      const size_t start = ++i;
      while (i < text.size() && text[i] != '.' && text[i] != '[') ++i;
      if (i == start) return std::nullopt;
      const std::string_view name = text.substr(start, i - start);
      if (name.find_first_of("*]'\" ") != std::string_view::npos) return std::nullopt;
      path.steps.emplace_back(std::string(name));
    } else if (text[i] == '[') {
      const size_t close = text.find(']', i);
      if (close == std::string_view::npos) return std::nullopt;
      const std::string_view inside = text.substr(i + 1, close - i - 1);
      if (inside.size() >= 2 && (inside.front() == '\'' || inside.front() == '"') &&
          inside.back() == inside.front()) {
        path.steps.emplace_back(std::string(inside.substr(1, inside.size() - 2)));
      } else {
        size_t index = 0;
        const auto [end, error] =
            std::from_chars(inside.data(), inside.data() + inside.size(), index);
        if (inside.empty() || error != std::errc() || end != inside.data() + inside.size()) {
          return std::nullopt;
        }
        path.steps.emplace_back(index);
      }
      i = close + 1;
    } else {
      return std::nullopt;
    }
  }
  return path;
}

const nlohmann::json* resolve(const JsonPath& path, const nlohmann::json& document) {
  const nlohmann::json* current = &document;
  for (const auto& step : path.steps) {
    if (const auto* name = std::get_if<std::string>(&step)) {
      if (!current->is_object()) return nullptr;
      const auto found = current->find(*name);
      if (found == current->end()) return nullptr;
      current = &*found;
    } else {
      const size_t index = std::get<size_t>(step);
      if (!current->is_array() || index >= current->size()) return nullptr;
      current = &(*current)[index];
    }
  }
  return current;
}

}  // namespace lambdad::events::detail
