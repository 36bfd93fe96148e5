#include "lambdad/control_api/concurrency_request.hpp"

#include <limits>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/function_name.hpp"

namespace lambdad::control_api {
namespace {

AwsError validation(const std::string& value, std::string_view rule) {
  return {
      400, "ValidationException",
      "1 validation error detected: Value " + value +
          " at 'reservedConcurrentExecutions' failed to satisfy constraint: " + std::string(rule),
      AwsError::Key::kmessage};
}

}  // namespace

int reserved_concurrency(const nlohmann::json& body) {
  const auto it = body.find("ReservedConcurrentExecutions");
  if (it == body.end() || it->is_null()) throw validation("null", "Member must not be null");
  if (!it->is_number_integer()) {
    throw errors::invalid_request_content(
        "Could not parse request body into json: field ReservedConcurrentExecutions must be an "
        "integer");
  }
  constexpr int kMax = std::numeric_limits<int>::max();
  if (it->is_number_unsigned()) {
    const auto n = it->get<uint64_t>();
    return n > static_cast<uint64_t>(kMax) ? kMax : static_cast<int>(n);
  }
  const auto n = it->get<int64_t>();
  if (n < 0) {
    throw validation("'" + std::to_string(n) + "'",
                     "Member must have value greater than or equal to 0");
  }
  return n > kMax ? kMax : static_cast<int>(n);
}

std::string concurrency_function_name(std::string_view text) {
  const FunctionName parsed = parse_function_name(text);  // ValidationException
  if (!parsed.qualifier.empty()) {
    throw errors::invalid_parameter(
        "Reserved concurrency applies to the function as a whole, all its versions and aliases: "
        "name the function without a qualifier (got '" +
        parsed.qualifier + "')");
  }
  return parsed.name;
}

}  // namespace lambdad::control_api
