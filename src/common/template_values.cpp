#include "lambdad/common/template_values.hpp"

#include <cstdlib>

#include "lambdad/common/encoding.hpp"

namespace lambdad {

std::optional<double> number_of(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') return std::nullopt;
  return parsed;
}

std::optional<bool> flag_of(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (!value.is_string()) return std::nullopt;
  const std::string text = ascii_lower(value.get<std::string>());
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::string text_of(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : "";
}

std::vector<std::string> strings_of(const nlohmann::json& value) {
  if (value.is_string()) return {value.get<std::string>()};
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& item : value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace lambdad
