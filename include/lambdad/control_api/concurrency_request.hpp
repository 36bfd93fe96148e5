#pragma once
/// @brief What PutFunctionConcurrency, GetFunctionConcurrency and DeleteFunctionConcurrency read
/// from a request, checked as Lambda checks them. Pure functions over untrusted input; each
/// throws AwsError.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lambdad::control_api {

/// PutFunctionConcurrency's `ReservedConcurrentExecutions`: ValidationException when it is
/// missing or negative, InvalidRequestContentException when it is not an integer. A value past
/// what an int holds comes back as the largest int (the limits refuse it).
int reserved_concurrency(const nlohmann::json& body);

/// The function a concurrency operation names (a name, an ARN or a partial ARN): its name.
/// Reserved concurrency applies to the function as a whole, so a qualifier is refused
/// (InvalidParameterValueException); a malformed name is a ValidationException.
std::string concurrency_function_name(std::string_view text);

}  // namespace lambdad::control_api
