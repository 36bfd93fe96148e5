// The bodies of CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration and
// PutFunctionConcurrency as the lambda port reads them (control_api/function_request.hpp,
// concurrency_request.hpp), and of the stored operations (TagResource, AddPermission,
// FunctionEventInvokeConfig, PublishLayerVersion; control_api/stored_request.hpp) with the ARNs
// and names of their paths: JSON, base64 code, every field's checks.
// AwsError is the only answer a body may get; anything else thrown is a finding.

#include "lambdad/control_api/concurrency_request.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/control_api/stored_request.hpp"

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
  try {
    (void)tag_request(parse_body(body));
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)permission_request(parse_body(body), "arn:aws:lambda:us-east-1:123456789012:function:f");
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)event_invoke_config_request(parse_body(body));
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)publish_layer_request(parse_body(body), "layer");
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)tagged_function(body);
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)layer_name(body);
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)reserved_concurrency(parse_body(body));
  } catch (const lambdad::AwsError&) {
  }
  try {
    (void)concurrency_function_name(body);
  } catch (const lambdad::AwsError&) {
  }
  return 0;
}
