#include "body_fields.hpp"

namespace lambdad::control_api {

using nlohmann::json;

/// AWS's constraint message: "1 validation error detected: Value 'x' at 'field' failed to
/// satisfy constraint: Member must …".
AwsError validation(const std::string& value, std::string_view field, std::string_view rule) {
  return {400, "ValidationException",
          "1 validation error detected: Value " + value + " at '" + std::string(field) +
              "' failed to satisfy constraint: " + std::string(rule),
          AwsError::Key::kmessage};
}

AwsError wrong_type(std::string_view field, std::string_view expected) {
  return errors::invalid_request_content("Could not parse request body into json: field " +
                                         std::string(field) + " must be " + std::string(expected));
}

const json* member(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> text(const json& body, const char* key) {
  const json* value = member(body, key);
  if (!value) return std::nullopt;
  if (!value->is_string()) throw wrong_type(key, "a string");
  return value->get<std::string>();
}

std::optional<bool> flag(const json& body, const char* key) {
  const json* value = member(body, key);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) throw wrong_type(key, "a boolean");
  return value->get<bool>();
}

std::optional<int> number(const json& body, const char* key, std::string_view field, int min,
                          int max) {
  const json* value = member(body, key);
  if (!value) return std::nullopt;
  if (!value->is_number_integer()) throw wrong_type(key, "an integer");
  const long long n = value->get<long long>();
  if (n < min) {
    throw validation("'" + std::to_string(n) + "'", field,
                     "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (n > max) {
    throw validation("'" + std::to_string(n) + "'", field,
                     "Member must have value less than or equal to " + std::to_string(max));
  }
  return static_cast<int>(n);
}

std::map<std::string, std::string> string_map(const json& value, const char* key) {
  if (!value.is_object()) throw wrong_type(key, "an object of strings");
  std::map<std::string, std::string> map;
  for (const auto& [k, v] : value.items()) {
    if (!v.is_string()) throw wrong_type(key, "an object of strings");
    map[k] = v.get<std::string>();
  }
  return map;
}

std::vector<std::string> string_list(const json& value, const char* key) {
  if (!value.is_array()) throw wrong_type(key, "a list of strings");
  std::vector<std::string> list;
  for (const auto& v : value) {
    if (!v.is_string()) throw wrong_type(key, "a list of strings");
    list.push_back(v.get<std::string>());
  }
  return list;
}

}  // namespace lambdad::control_api
