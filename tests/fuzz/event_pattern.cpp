// Event patterns as the three services compile them, and the documents they match: the input's
// first line is a pattern (compiled as an EventBridge pattern, an SNS filter policy in both
// scopes and a Lambda filter), the rest a document (an event, SNS attributes or body, an SQS
// record) matched against every pattern that compiled. The second line, when it starts with `<`,
// is also tried as an InputTransformer template over the document.

#include <nlohmann/json.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/events/event_pattern.hpp"
#include "lambdad/events/target_input.hpp"

namespace {

using namespace lambdad::events;

template <typename Compile>
void try_pattern(Compile&& compile, const nlohmann::json& document, std::string_view text) {
  try {
    const EventPattern pattern = compile();
    (void)pattern.matches(document);
    (void)pattern.matches_sns_message(text, document);
  } catch (const lambdad::AwsError& e) {
    if (e.status != 400) __builtin_trap();  // a bad pattern is the caller's error
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto newline = text.find('\n');
  const std::string_view pattern = text.substr(0, newline);
  const std::string_view rest =
      newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  const nlohmann::json document = nlohmann::json::parse(rest, nullptr, false);
  const nlohmann::json record = {{"body", std::string(rest)}, {"messageId", "m"}};

  try_pattern([&] { return compile_event_pattern(pattern); }, document, rest);
  try_pattern([&] { return compile_sns_filter_policy(pattern, FilterPolicyScope::kMessageBody); },
              document, rest);
  try_pattern(
      [&] { return compile_sns_filter_policy(pattern, FilterPolicyScope::kMessageAttributes); },
      document, rest);
  try_pattern(
      [&] { return compile_filter_criteria(std::vector<std::string>{std::string(pattern)}); },
      record, rest);

  if (!rest.empty() && rest[0] == '<') {
    const auto end = rest.find('\n');
    try {
      const auto input =
          TargetInput::transformer("t", nlohmann::json{{"v", "$.detail"}},
                                   rest.substr(1, end == rest.npos ? rest.npos : end - 1));
      (void)input.render(document, TargetContext{"arn", "rule", "time"});
    } catch (const lambdad::AwsError& e) {
      if (e.status != 400) __builtin_trap();
    }
  }
  return 0;
}
