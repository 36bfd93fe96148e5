#include "lambdad/common/function_name.hpp"

#include <cctype>
#include "lambdad/common/regex.hpp"

#include "lambdad/common/aws_error.hpp"

namespace lambdad {
namespace {

// AWS's own pattern for FunctionName (Lambda API reference).
constexpr const char* kPattern =
    R"((arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?)";

AwsError validation(std::string_view text) {
  return {400, "ValidationException",
          "1 validation error detected: Value '" + std::string(text) +
              "' at 'functionName' failed to satisfy constraint: Member must satisfy regular "
              "expression pattern: " +
              kPattern,
          AwsError::Key::kmessage};
}

bool is_plain_name(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

FunctionName parse_function_name(std::string_view text) {
  if (is_plain_name(text)) return {std::string(text), {}};  // the common case, without a regex
  static const std::regex pattern(kPattern);
  std::cmatch match;
  if (text.empty() || text.size() > 170 ||
      !std::regex_match(text.begin(), text.end(), match, pattern)) {
    throw validation(text);
  }
  FunctionName result{match[7].str(), match[9].str()};
  if (result.name.size() > 64) throw validation(text);
  return result;
}

}  // namespace lambdad
