#pragma once
/// @brief Parsing the FunctionName of Lambda API paths: a name, a full ARN or a partial ARN
/// (`123456789012:function:name`), each optionally ending in `:qualifier`.

#include <string>
#include <string_view>

namespace lambdad {

struct FunctionName {
  std::string name;
  std::string qualifier;  ///< empty when the name carries none
};

/// Throws AwsError ValidationException (400) when the text cannot be a function name.
FunctionName parse_function_name(std::string_view text);

}  // namespace lambdad
