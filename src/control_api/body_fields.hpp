#pragma once
// Reading the fields of a Lambda API body (untrusted JSON) as Lambda checks them: a field of the
// wrong type is an InvalidRequestContentException, a value out of its range a
// ValidationException with AWS's constraint message. Shared by the *_request.cpp files.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/common/aws_error.hpp"

namespace lambdad::control_api {

/// AWS's constraint message: "1 validation error detected: Value 'x' at 'field' failed to
/// satisfy constraint: Member must …" (`value` as it should appear, quotes included).
AwsError validation(const std::string& value, std::string_view field, std::string_view rule);
AwsError wrong_type(std::string_view field, std::string_view expected);

/// The member, or nullptr when absent or null.
const nlohmann::json* member(const nlohmann::json& body, const char* key);
std::optional<std::string> text(const nlohmann::json& body, const char* key);
std::optional<bool> flag(const nlohmann::json& body, const char* key);
/// An integer in [min, max]; `field` names it in the constraint message.
std::optional<int> number(const nlohmann::json& body, const char* key, std::string_view field,
                          int min, int max);
std::map<std::string, std::string> string_map(const nlohmann::json& value, const char* key);
std::vector<std::string> string_list(const nlohmann::json& value, const char* key);

}  // namespace lambdad::control_api
