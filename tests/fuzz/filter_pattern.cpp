// CloudWatch Logs filter patterns (FilterLogEvents' filterPattern): the input's first line is the
// pattern, the rest a log message matched against it when the pattern parses.

#include "lambdad/store/filter_pattern.hpp"
#include "lambdad/common/aws_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto newline = text.find('\n');
  const std::string_view pattern = text.substr(0, newline);
  const std::string_view message =
      newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  try {
    const auto filter = lambdad::store::FilterPattern::parse(pattern);
    const bool matched = filter.matches(message);
    if (filter.matches_everything() && !matched) __builtin_trap();
  } catch (const lambdad::AwsError& e) {
    if (e.status != 400) __builtin_trap();  // a bad pattern is the caller's error
  }
  return 0;
}
