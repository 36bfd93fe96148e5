// OpenAPI documents as a template's APIs read them: the bytes are the `DefinitionUri` file of
// both a REST API and an HTTP API (paths, operations, security schemes, API Gateway's
// extensions, integrations and the functions their URIs name). Problems are TemplateErrors.

#include "lambdad/deploy/template_loader.hpp"
#include "scratch_dir.hpp"

namespace {

constexpr std::string_view kTemplate = R"(AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  RestApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: openapi.yaml
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: openapi.yaml
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    const fs::path d = lambdad::fuzz::scratch_dir() / "openapi";
    fs::create_directories(d / "src");
    lambdad::fuzz::write_file(d / "src" / "app.py", "def handler(e, c):\n  return e\n");
    lambdad::fuzz::write_file(d / "template.yaml", kTemplate);
    return d;
  }();
  lambdad::fuzz::write_file(dir / "openapi.yaml",
                            std::string_view(reinterpret_cast<const char*>(data), size));
  lambdad::deploy::LoadOptions options;
  options.state_dir = dir / "state";
  try {
    (void)lambdad::deploy::load_template(dir / "template.yaml", options);
  } catch (const lambdad::deploy::TemplateError& e) {
    if (e.problems().empty()) __builtin_trap();
  }
  return 0;
}
