// The bodies of CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration as the lambda
// port reads them (control_api/function_request.hpp): JSON, base64 code, every field's checks.
// AwsError is the only answer a body may get; anything else thrown is a finding.

#include "lambdad/control_api/function_request.hpp"
#include "lambdad/common/aws_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace lambdad::control_api;
  try {
    (void)create_request(parse_body(body));
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)code_update(parse_body(body));
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)configuration_update(parse_body(body));
  } catch (const lambdad::AwsError&) {
  }
  return 0;
}
