// load_template / find_template: a valid template gives resolved function and API configs.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class TemplateLoaderTest : public TemplateFixture {};

TEST_F(TemplateLoaderTest, FindTemplateInFolderPrefersYaml) {
  write("template.yml", "Resources: {}\n");
  EXPECT_EQ(find_template(dir_), dir_ / "template.yml");
  write("template.yaml", "Resources: {}\n");
  EXPECT_EQ(find_template(dir_), dir_ / "template.yaml");
  EXPECT_EQ(find_template(dir_ / "template.yml"), dir_ / "template.yml");
}

TEST_F(TemplateLoaderTest, FindTemplateReportsMissingTemplate) {
  try {
    find_template(dir_ / "src");
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].line, 0);
    EXPECT_THAT(e.problems()[0].message, ::testing::HasSubstr("no template.yaml or template.yml"));
  }
  EXPECT_THROW(find_template(dir_ / "missing.yaml"), TemplateError);
}

TEST_F(TemplateLoaderTest, MinimalPythonFunctionGetsDefaults) {
  const Template t = load(R"(
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
)");
  EXPECT_EQ(t.path, dir_ / "template.yaml");
  ASSERT_EQ(t.functions.size(), 1u);
  const FunctionConfig& f = t.functions[0];
  EXPECT_EQ(f.logical_id, "Hello");
  EXPECT_EQ(f.name, "Hello");
  EXPECT_EQ(f.runtime, "python3.12");
  EXPECT_EQ(f.handler, "app.handler");
  EXPECT_EQ(f.code_dir, fs::canonical(dir_ / "src"));
  EXPECT_EQ(f.memory_mb, 128);
  EXPECT_EQ(f.timeout_s, 3);
  EXPECT_EQ(f.ephemeral_storage_mb, 512);
  EXPECT_FALSE(f.reserved_concurrency.has_value());
  EXPECT_EQ(f.provisioned_concurrency, 0);
  EXPECT_THAT(f.environment, IsEmpty());
  EXPECT_THAT(f.layers, IsEmpty());
  EXPECT_EQ(f.line, 4);
  EXPECT_TRUE(f.event_invoke_config.is_null());
  EXPECT_THAT(t.warnings, IsEmpty());
}

TEST_F(TemplateLoaderTest, EveryReadPropertyLandsInTheConfig) {
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Lib:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer1
      LayerName: lib
  Api:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: my-api_fn
      Description: the API
      CodeUri: ./src/
      Handler: app.handler
      Runtime: nodejs20.x
      MemorySize: 1024
      Timeout: "30"
      EphemeralStorage:
        Size: 2048
      Architectures: [arm64]
      ReservedConcurrentExecutions: 10
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
      Layers:
        - !Ref Lib
        - layer2
      Environment:
        Variables:
          TABLE: orders
          COUNT: 5
          RATIO: 1.50
          ENABLED: true
          QUOTED: "007"
          EMPTY:
      EventInvokeConfig:
        MaximumRetryAttempts: 1
      Role: arn:aws:iam::123456789012:role/x
      Policies: [AWSLambdaBasicExecutionRole]
      Tags: {team: a}
      PackageType: Zip
      KmsKeyArn: arn:aws:kms:us-east-1:123456789012:key/x
      RuntimeManagementConfig: {UpdateRuntimeOn: Auto}
      PermissionsBoundary: arn:aws:iam::123456789012:policy/b
      AssumeRolePolicyDocument: {Version: "2012-10-17"}
    Metadata:
      BuildMethod: esbuild
)");
  ASSERT_EQ(t.functions.size(), 1u);
  const FunctionConfig& f = t.functions[0];
  EXPECT_EQ(f.name, "my-api_fn");
  EXPECT_EQ(f.description, "the API");
  EXPECT_EQ(f.code_dir, fs::canonical(dir_ / "src"));
  EXPECT_EQ(f.runtime, "nodejs20.x");
  EXPECT_EQ(f.memory_mb, 1024);
  EXPECT_EQ(f.timeout_s, 30);
  EXPECT_EQ(f.ephemeral_storage_mb, 2048);
  EXPECT_THAT(f.architectures, ElementsAre("arm64"));
  EXPECT_EQ(f.reserved_concurrency, 10);
  EXPECT_EQ(f.auto_publish_alias, "live");
  EXPECT_EQ(f.provisioned_concurrency, 2);
  EXPECT_THAT(f.layers,
              ElementsAre(fs::canonical(dir_ / "layer1"), fs::canonical(dir_ / "layer2")));
  const std::map<std::string, std::string> expected = {{"TABLE", "orders"}, {"COUNT", "5"},
                                                       {"RATIO", "1.5"},    {"ENABLED", "true"},
                                                       {"QUOTED", "007"},   {"EMPTY", ""}};
  EXPECT_EQ(f.environment, expected);
  EXPECT_EQ(f.event_invoke_config, nlohmann::json({{"MaximumRetryAttempts", 1}}));
  EXPECT_EQ(f.properties["Tags"], nlohmann::json({{"team", "a"}}));
  EXPECT_THAT(t.warnings, IsEmpty());
}

TEST_F(TemplateLoaderTest, ProvidedRuntimeNeedsNoHandler) {
  const Template t = load(R"(
Resources:
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: custom
      Runtime: provided.al2023
      Architectures: [x86_64]
)");
  EXPECT_EQ(function(t, "Custom").handler, "");
  EXPECT_THAT(function(t, "Custom").architectures, ElementsAre("x86_64"));
  EXPECT_THAT(t.warning_lines, ::testing::Not(::testing::Contains(WarningLike(5, "bootstrap"))));
}

TEST_F(TemplateLoaderTest, WarnsWhenEntryPointIsMissing) {
  const Template t = load(R"(
Resources:
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: layer1
      Runtime: provided.al2
  Node:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Runtime: nodejs22.x
      Handler: dist/index.handler
Transform: AWS::Serverless-2016-10-31
)");
  EXPECT_THAT(t.warning_lines,
              UnorderedElementsAre(WarningLike(5, "no executable 'bootstrap' in CodeUri or Layers"),
                                   WarningLike(12, "no dist/index.js in CodeUri")));
}

TEST_F(TemplateLoaderTest, BootstrapInALayerIsEnough) {
  write("layer2/bootstrap", "#!/bin/sh\n", true);
  const Template t = load(R"(
Resources:
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: layer1
      Runtime: provided
      Layers: [layer2]
Transform: AWS::Serverless-2016-10-31
)");
  EXPECT_THAT(t.warnings, IsEmpty());
}

TEST_F(TemplateLoaderTest, FunctionsKeepTemplateOrder) {
  const Template t = load(R"(
Resources:
  Zeta:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.9}
  Alpha:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.13}
)");
  ASSERT_EQ(t.functions.size(), 2u);
  EXPECT_EQ(t.functions[0].logical_id, "Zeta");
  EXPECT_EQ(t.functions[1].logical_id, "Alpha");
}

TEST_F(TemplateLoaderTest, ExplicitApisGetSamDefaultStageNames) {
  const Template t = load(R"(
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      Cors: "'*'"
  Staged:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
  Http:
    Type: AWS::Serverless::HttpApi
)");
  ASSERT_EQ(t.apis.size(), 3u);
  EXPECT_EQ(t.apis[0].logical_id, "Rest");
  EXPECT_EQ(t.apis[0].type, "AWS::Serverless::Api");
  EXPECT_EQ(t.apis[0].stage_name, "Prod");
  EXPECT_EQ(t.apis[0].settings, (api::ApiSettings{.cors = api::Cors{.allow_origins = {"*"}}}));
  EXPECT_EQ(t.apis[0].line, 2);
  EXPECT_FALSE(t.apis[0].implicit);
  EXPECT_EQ(t.apis[1].stage_name, "v1");
  EXPECT_EQ(t.apis[2].type, "AWS::Serverless::HttpApi");
  EXPECT_EQ(t.apis[2].stage_name, "$default");
}

TEST_F(TemplateLoaderTest, OtherResourceTypesWarnWithTheirLine) {
  const Template t = load(R"(
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
  Role:
    Type: AWS::IAM::Role
  Plain:
    Type: AWS::Lambda::Function
)");
  EXPECT_THAT(t.functions, IsEmpty());
  // Tables and roles are said once, together; a Lambda function users may expect to run, alone.
  EXPECT_THAT(t.warning_lines,
              ElementsAre(WarningLike(0,
                                      "not created by lambdad (only AWS has them; Ref and "
                                      "Fn::GetAtt give their CloudFormation names and ARNs): "
                                      "AWS::DynamoDB::Table, AWS::IAM::Role"),
                          WarningLike(8, "only AWS::Serverless::Function resources are run")));
  EXPECT_EQ(t.warnings[1],
            "line 8: resource 'Plain': lambdad does not create AWS::Lambda::Function resources; "
            "only AWS::Serverless::Function resources are run");
}

TEST_F(TemplateLoaderTest, OutputsAreNotResolved) {
  const Template t = load(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
Outputs:
  Url:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/"
  Arn:
    Value: !GetAtt Nothing.Arn
  Missing:
    Value: !Ref NotAParameter
)");
  EXPECT_EQ(t.functions.size(), 1u);
}

TEST_F(TemplateLoaderTest, ResourceConditionFalseSkipsTheResource) {
  const Template t = load(R"(
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [{Condition: IsProd}]
Resources:
  ProdOnly:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties: {CodeUri: nowhere, Runtime: java8}
  DevOnly:
    Type: AWS::Serverless::Function
    Condition: IsDev
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
)");
  ASSERT_EQ(t.functions.size(), 1u);
  EXPECT_EQ(t.functions[0].logical_id, "DevOnly");
}

TEST_F(TemplateLoaderTest, IgnoreGlobalsDropsNamedGlobals) {
  const Template t = load(R"(
Globals:
  Function:
    Timeout: 20
    MemorySize: 512
Resources:
  Some:
    Type: AWS::Serverless::Function
    IgnoreGlobals: [Timeout]
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
  None:
    Type: AWS::Serverless::Function
    IgnoreGlobals: "*"
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
)");
  EXPECT_EQ(function(t, "Some").timeout_s, 3);
  EXPECT_EQ(function(t, "Some").memory_mb, 512);
  EXPECT_EQ(function(t, "None").memory_mb, 128);
}

TEST_F(TemplateLoaderTest, YamlAnchorsAndMergeKeysWork) {
  const Template t = load(R"(
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties: &common
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Timeout: 9
  Two:
    Type: AWS::Serverless::Function
    Properties:
      <<: *common
      Timeout: 12
)");
  EXPECT_EQ(function(t, "One").timeout_s, 9);
  EXPECT_EQ(function(t, "Two").timeout_s, 12);
  EXPECT_EQ(function(t, "Two").runtime, "python3.12");
}

TEST_F(TemplateLoaderTest, TemplateErrorWhatListsEveryProblem) {
  try {
    load(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12, MemorySize: 1}
  Bye:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12, Timeout: 0}
)");
    FAIL() << "expected TemplateError";
  } catch (const TemplateError& e) {
    const std::string file = (dir_ / "template.yaml").string();
    EXPECT_EQ(
        std::string(e.what()),
        file + ":4: error: function 'Hello': MemorySize must be between 128 and 10240 (got 1)\n" +
            file + ":7: error: function 'Bye': Timeout must be between 1 and 900 (got 0)");
    EXPECT_EQ(e.file(), dir_ / "template.yaml");
  }
}

TEST_F(TemplateLoaderTest, LoggingConfigReachesTheFunction) {
  const Template t = load(R"(
Resources:
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: custom
      Runtime: provided.al2023
      LoggingConfig:
        LogFormat: JSON
        ApplicationLogLevel: DEBUG
        LogGroup: /custom/group
)");
  EXPECT_EQ(function(t, "Custom").log_format, "JSON");
  EXPECT_EQ(function(t, "Custom").application_log_level, "DEBUG");
  EXPECT_THAT(t.warning_lines, ::testing::Contains(WarningLike(10, "LogGroup is not applied")));
}

// Scalars that look like numbers but are beyond a double (std::stod threw on them; found by
// fuzz_openapi) or very long stay strings.
TEST_F(TemplateLoaderTest, NumbersBeyondADoubleStayStrings) {
  const std::string long_digits = "1" + std::string(500, '0');
  const Template t = load(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          BIG: 4e999
          LONG: )" + long_digits +
                          R"(
          HALF: 0.5
          SIGNED: +2.5e3
          NAN: .nan
)");
  ASSERT_EQ(t.functions.size(), 1u);
  const auto& env = t.functions[0].environment;
  EXPECT_EQ(env.at("BIG"), "4e999");
  EXPECT_EQ(env.at("LONG"), long_digits);
  EXPECT_EQ(env.at("HALF"), "0.5");
  EXPECT_EQ(env.at("SIGNED"), "2500.0");
  EXPECT_EQ(env.at("NAN"), ".nan");
}

}  // namespace
}  // namespace lambdad::deploy::testing
