#pragma once
/// @brief Reading a member of JSON that may not be an object (resolved template properties):
/// nlohmann's `at` / `value` throw on other types, `find` needs an end() check.

#include <string_view>

#include <nlohmann/json.hpp>

namespace lambdad {

/// `object[key]`, or nullptr when `object` is not an object or has no such member.
inline const nlohmann::json* json_member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

/// `object[key]`, or null when absent: for chains such as
/// `json_value(json_value(properties, "Auth"), "Authorizers")`.
inline const nlohmann::json& json_value(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json kNull;
  const nlohmann::json* found = json_member(object, key);
  return found ? *found : kNull;
}

}  // namespace lambdad
