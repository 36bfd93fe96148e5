// Every problem of a broken template, each with its exact line, all reported at once.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::SizeIs;

class TemplateErrorsTest : public TemplateFixture {};

TEST_F(TemplateErrorsTest, YamlSyntaxErrorIsOneProblemWithItsLine) {
  EXPECT_THAT(errors(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
     Handler: bad-indent
)"),
              ElementsAre(ProblemLike(6, "YAML syntax error")));
}

TEST_F(TemplateErrorsTest, EmptyAndNonMapTemplates) {
  EXPECT_THAT(errors(""), ElementsAre(Problem(0, "the template is empty")));
  EXPECT_THAT(errors("just text\n"), ElementsAre(ProblemLike(1, "a template must be a YAML map")));
  EXPECT_THAT(errors("Description: x\n"), ElementsAre(Problem(0, "the template has no Resources")));
}

TEST_F(TemplateErrorsTest, TopLevelProblems) {
  EXPECT_THAT(errors(R"(
AWSTemplateFormatVersion: '2011-01-01'
Transform: [AWS::Serverless-2016-10-31, {Name: x}]
Resource: {}
Resources:
  Bad-Id:
    Type: AWS::SQS::Queue
  NoType:
    Properties: {}
  Misplaced:
    Type: AWS::SNS::Topic
    MemorySize: 3
  Dup:
    Type: AWS::SNS::Topic
  Dup:
    Type: AWS::SNS::Topic
)"),
              ElementsAre(Problem(1, "AWSTemplateFormatVersion must be 2010-09-09"),
                          Problem(2, "Transform must name transforms, got a map"),
                          Problem(3, "unknown top-level section 'Resource'"),
                          Problem(5, "resource 'Bad-Id': a logical id must be alphanumeric"),
                          Problem(7, "resource 'NoType': Type is required")));
  // What CloudFormation tolerates: an attribute beside Type, a key written twice.
  EXPECT_THAT(load(R"(
Resources:
  Misplaced:
    Type: AWS::SNS::Topic
    MemorySize: 3
  Dup:
    Type: AWS::SNS::Topic
  Dup:
    Type: AWS::SQS::Queue
)")
                  .warning_lines,
              IsSupersetOf({WarningLike(4,
                                        "resource 'Misplaced': unknown attribute 'MemorySize' is "
                                        "ignored (properties go under Properties)"),
                            WarningLike(7, "duplicate key 'Dup' at lines 5 and 7")}));
}

TEST_F(TemplateErrorsTest, UnknownTagIsAnError) {
  EXPECT_THAT(
      errors(R"(
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Reff Name
)"),
      ElementsAre(Problem(5, "unknown tag !Reff (not a CloudFormation intrinsic function)")));
}

TEST_F(TemplateErrorsTest, FunctionPropertyRanges) {
  EXPECT_THAT(
      errors(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      MemorySize: 64
      Timeout: 901
      EphemeralStorage: {Size: 100}
      ReservedConcurrentExecutions: -1
      Architectures: [x86_64, arm64]
      Description: [not, text]
)"),
      ElementsAre(Problem(8, "function 'Hello': MemorySize must be between 128 and 10240 (got 64)"),
                  Problem(9, "function 'Hello': Timeout must be between 1 and 900 (got 901)"),
                  Problem(10,
                          "function 'Hello': EphemeralStorage.Size must be between 512 "
                          "and 10240 (got 100)"),
                  Problem(11,
                          "function 'Hello': ReservedConcurrentExecutions must be at "
                          "least 0 (got -1)"),
                  ProblemLike(12,
                              "Architectures must be a list of exactly one of x86_64, "
                              "arm64 (got 2 items"),
                  Problem(13, "function 'Hello': Description must be a string, got a list")));
}

TEST_F(TemplateErrorsTest, LoggingConfigValues) {
  EXPECT_THAT(errors(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      LoggingConfig: {LogFormat: Yaml}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      LoggingConfig:
        ApplicationLogLevel: INFO
)"),
              ElementsAre(Problem(8,
                                  "function 'Hello': LoggingConfig.LogFormat must be Text or "
                                  "JSON"),
                          Problem(16,
                                  "function 'Other': LoggingConfig.ApplicationLogLevel needs "
                                  "LogFormat: JSON")));
}

TEST_F(TemplateErrorsTest, NonNumbersAreRejected) {
  EXPECT_THAT(
      errors(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      MemorySize: lots
      Timeout: 2.5
      Architectures: [sparc]
)"),
      ElementsAre(Problem(8, "function 'Hello': MemorySize must be a whole number, got 'lots'"),
                  Problem(9, "function 'Hello': Timeout must be a whole number, got '2.5'"),
                  Problem(10, "function 'Hello': Architectures: 'sparc' must be x86_64 or arm64")));
}

TEST_F(TemplateErrorsTest, RuntimeHandlerAndCode) {
  EXPECT_THAT(
      errors(R"(
Resources:
  NoRuntime:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
  Java:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: x
      Runtime: java21
  NoHandler:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Runtime: nodejs18.x
  BadHandler:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Runtime: python3.11
      Handler: app
)"),
      ElementsAre(Problem(2, "function 'NoRuntime': Runtime is required"),
                  ProblemLike(12, "function 'Java': Runtime 'java21' is not run by lambdad"),
                  Problem(13, "function 'NoHandler': Handler is required for nodejs18.x")));
}

TEST_F(TemplateErrorsTest, CodeLocationsLambdadCannotRun) {
  write("bundle.zip", "PK");
  write("afile", "x");
  EXPECT_THAT(
      errors(R"(
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
Resources:
  S3Uri:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/code.zip
  S3Map:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {Bucket: b, Key: k}
  Zip:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: bundle.zip
  Missing:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: not/there
  File:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: afile
  Image:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: repo/image:latest
)"),
      ElementsAre(Problem(9,
                          "function 'S3Uri': CodeUri: S3 locations are not supported; "
                          "use a local folder or .zip file"),
                  Problem(13,
                          "function 'S3Map': CodeUri: S3 locations are not supported; "
                          "use a local folder or .zip file"),
                  Problem(17,
                          "function 'Zip': CodeUri: 'bundle.zip' is not a zip file, or it is "
                          "truncated (no end of central directory)"),
                  // A missing folder is a build output not made yet: a warning (template_code).
                  Problem(25, "function 'File': CodeUri 'afile' is not a folder"),
                  Problem(29,
                          "function 'Image': PackageType Image (container images) is "
                          "not supported; use Zip"),
                  ProblemLike(30, "function 'Image': container images (ImageUri)")));
}

TEST_F(TemplateErrorsTest, UnknownAndMisspelledProperties) {
  EXPECT_THAT(
      errors(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Memorysize: 256
      Enviroment: {}
      Environment:
        Variable: {}
      EphemeralStorage: {Size: 1024, Kind: fast}
      ProvisionedConcurrencyConfig: {Count: 1}
)"),
      ElementsAre(Problem(8, "function 'Hello': unknown property 'Memorysize'"),
                  Problem(9, "function 'Hello': unknown property 'Enviroment'"),
                  Problem(11, "function 'Hello': Environment: unknown property 'Variable'"),
                  Problem(12, "function 'Hello': EphemeralStorage: unknown property 'Kind'"),
                  Problem(13,
                          "function 'Hello': ProvisionedConcurrencyConfig: unknown "
                          "property 'Count'"),
                  Problem(13,
                          "function 'Hello': ProvisionedConcurrencyConfig needs "
                          "ProvisionedConcurrentExecutions")));
}

TEST_F(TemplateErrorsTest, EnvironmentVariableRules) {
  const std::string big(4100, 'x');
  EXPECT_THAT(errors(R"(
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          OK_1: fine
          A: too-short
          1ST: digit
          HAS-DASH: dash
          _UNDER: underscore
          AWS_REGION: reserved
          AWS_LAMBDA_FUNCTION_NAME: reserved
          LAMBDA_TASK_ROOT: reserved
          NESTED: {a: b}
  Big:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          BIG: )" + big +
                     R"(
)"),
              ElementsAre(ProblemLike(11,
                                      "environment variable name 'A' must start with a letter "
                                      "and have at least 2 characters from [A-Za-z0-9_]"),
                          ProblemLike(12, "'1ST' must start with a letter"),
                          ProblemLike(13, "'HAS-DASH' must start with a letter"),
                          ProblemLike(14, "'_UNDER' must start with a letter"),
                          Problem(15,
                                  "function 'Hello': environment variable 'AWS_REGION' is "
                                  "reserved by Lambda"),
                          ProblemLike(16, "'AWS_LAMBDA_FUNCTION_NAME' is reserved by Lambda"),
                          ProblemLike(17, "'LAMBDA_TASK_ROOT' is reserved by Lambda"),
                          Problem(18,
                                  "function 'Hello': environment variable 'NESTED' must be a "
                                  "string, got a map"),
                          Problem(25,
                                  "function 'Big': Environment.Variables take 4103 bytes, over "
                                  "Lambda's 4 KB limit")));
}

TEST_F(TemplateErrorsTest, ConcurrencyRules) {
  EXPECT_THAT(errors(R"(
Globals:
  Function: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
Resources:
  NoAlias:
    Type: AWS::Serverless::Function
    Properties:
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
  OverReserved:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      ReservedConcurrentExecutions: 3
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 4
  BadAlias:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: "123"
  ZeroProvisioned:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 0
)"),
              ElementsAre(Problem(7,
                                  "function 'NoAlias': ProvisionedConcurrencyConfig needs "
                                  "AutoPublishAlias"),
                          Problem(14,
                                  "function 'OverReserved': ProvisionedConcurrentExecutions (4) "
                                  "must not exceed ReservedConcurrentExecutions (3)"),
                          ProblemLike(19, "function 'BadAlias': AutoPublishAlias '123' must be"),
                          ProblemLike(25,
                                      "function 'ZeroProvisioned': ProvisionedConcurrentExecutions "
                                      "must be between 1")));
}

TEST_F(TemplateErrorsTest, ReservedZeroIsAllowed) {
  const Template t = load(R"(
Resources:
  Off:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12, ReservedConcurrentExecutions: 0}
)");
  EXPECT_EQ(function(t, "Off").reserved_concurrency, 0);
}

TEST_F(TemplateErrorsTest, LayerProblems) {
  EXPECT_THAT(
      errors(R"(
Globals:
  Function: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
Resources:
  RemoteLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://bucket/layer.zip
  CfnLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: {S3Bucket: b, S3Key: k}
  Arn:
    Type: AWS::Serverless::Function
    Properties:
      Layers:
        - arn:aws:lambda:us-east-1:123456789012:layer:shared:3
        - !Ref CfnLayer
        - missing-folder
  TooMany:
    Type: AWS::Serverless::Function
    Properties:
      Layers: [layer1, layer1, layer2, layer2, layer1, layer2]
)"),
      ElementsAre(Problem(7,
                          "layer 'RemoteLayer': ContentUri: S3 locations are not "
                          "supported; use a local folder or .zip file"),
                  // A published layer's ARN and an AWS::Lambda::LayerVersion are warnings now.
                  Problem(22, "function 'TooMany': Layers has 6 layers; Lambda allows at most 5")));
}

TEST_F(TemplateErrorsTest, IntrinsicProblems) {
  EXPECT_THAT(
      errors(R"(
Parameters:
  NoDefault: {Type: String}
  Names: {Type: CommaDelimitedList, Default: "a,b"}
Globals:
  Function: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          A: !Ref Nope
          B: !Ref NoDefault
          C: !Sub "${Unknown}-x"
          D: !Sub "${Names}"
          E: !Select [5, [a, b]]
          F2: !If [NoSuchCondition, a, b]
          G: !FindInMap [NoMap, a, b]
          H: !GetAtt Ghost.Arn
          I: {"Fn::Frobnicate": x}
          J: !Join [",", notalist]
          K: !Split ["", "abc"]
)"),
      ElementsAre(Problem(12, "function 'F': Ref to unknown parameter or resource 'Nope'"),
                  // B: !Ref NoDefault is '' with a warning now; its one-letter name is not.
                  Problem(13,
                          "function 'F': environment variable name 'B' must start with a letter "
                          "and have at least 2 characters from [A-Za-z0-9_]"),
                  Problem(14,
                          "function 'F': Fn::Sub refers to unknown variable, parameter "
                          "or resource 'Unknown'"),
                  Problem(15, "function 'F': Fn::Sub cannot insert 'Names', which is a list"),
                  Problem(16, "function 'F': Fn::Select index 5 is out of range for a list of 2"),
                  Problem(17, "function 'F': unknown condition 'NoSuchCondition'"),
                  Problem(18, "function 'F': Fn::FindInMap: there is no mapping 'NoMap'"),
                  Problem(19, "function 'F': Fn::GetAtt refers to unknown resource 'Ghost'"),
                  Problem(20, "function 'F': unknown intrinsic function Fn::Frobnicate"),
                  Problem(21, "function 'F': Fn::Join needs a list of values, got a string"),
                  Problem(22, "function 'F': Fn::Split needs a non-empty delimiter")));
}

TEST_F(TemplateErrorsTest, UnresolvableValueWhereOneIsNeeded) {
  EXPECT_THAT(errors(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: !GetAtt Thing.Folder
      Handler: app.handler
      Runtime: !ImportValue runtime
  Thing:
    Type: Custom::Thing
)"),
              ElementsAre(Problem(5,
                                  "function 'F': CodeUri uses Fn::GetAtt, which lambdad cannot "
                                  "resolve locally"),
                          Problem(7,
                                  "function 'F': Runtime uses Fn::ImportValue, which lambdad "
                                  "cannot resolve locally")));
}

TEST_F(TemplateErrorsTest, ConditionProblems) {
  EXPECT_THAT(errors(R"(
Conditions:
  Loop: !Not [!Condition Loop]
  NotAFunction: !Join ["", [a]]
  Short: !And [!Equals [a, a]]
Resources:
  Q:
    Type: AWS::SQS::Queue
    Condition: Missing
)"),
              ElementsAre(Problem(2, "condition 'Loop' depends on itself"),
                          ProblemLike(3,
                                      "condition 'NotAFunction': a condition must be Fn::Equals, "
                                      "Fn::And, Fn::Or, Fn::Not or Condition, got Fn::Join"),
                          Problem(4, "condition 'Short': Fn::And takes a list of 2 to 10 items"),
                          Problem(8, "resource 'Q': unknown condition 'Missing'")));
}

TEST_F(TemplateErrorsTest, ParameterProblems) {
  EXPECT_THAT(
      errors(R"(
Parameters:
  Env:
    Type: String
    Default: staging
    AllowedValues: [dev, prod]
  Size:
    Type: Number
    Default: big
  Limit:
    Type: Number
    Default: 50
    MaxValue: 10
    ConstraintDescription: keep it small
  Code:
    Type: String
    Default: abc
    AllowedPattern: "[0-9]+"
  Short:
    Type: String
    Default: abcdef
    MaxLength: 3
  Weird:
    Type: Strin
  Typo:
    Type: String
    Defualt: x
Resources:
  Q:
    Type: AWS::SQS::Queue
)",
             {{"Unknown", "1"}}),
      ElementsAre(Problem(1,
                          "parameter override 'Unknown' does not match any parameter of "
                          "the template"),
                  Problem(2, "parameter 'Env': value 'staging' is not one of the AllowedValues"),
                  Problem(6, "parameter 'Size': value 'big' is not a number"),
                  Problem(9, "parameter 'Limit': value '50' is above MaxValue 10 (keep it small)"),
                  Problem(14, "parameter 'Code': value 'abc' does not match AllowedPattern [0-9]+"),
                  Problem(18, "parameter 'Short': value 'abcdef' is above MaxLength 3"),
                  Problem(23, "parameter 'Weird': unknown Type 'Strin'"),
                  Problem(26, "parameter 'Typo': unknown property 'Defualt'")));
}

TEST_F(TemplateErrorsTest, OverrideThatBreaksAConstraintSaysSo) {
  EXPECT_THAT(errors(R"(
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
Resources:
  Q:
    Type: AWS::SQS::Queue
)",
                     {{"Env", "qa"}}),
              ElementsAre(Problem(2,
                                  "parameter 'Env': value 'qa' (from the overrides) is not one of "
                                  "the AllowedValues")));
}

TEST_F(TemplateErrorsTest, UnusedParameterWithoutValueIsFine) {
  const Template t = load(R"(
Parameters:
  Unused: {Type: String}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /my/param}
Resources:
  Q:
    Type: AWS::SQS::Queue
)");
  EXPECT_THAT(t.functions, IsEmpty());
}

TEST_F(TemplateErrorsTest, SsmParameterNeedsAnOverrideWhenUsed) {
  const std::string yaml = R"(
Parameters:
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /my/param}
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment: {Variables: {SECRET: !Ref FromSsm}}
)";
  // Unresolved, as sam local leaves it: '' with a warning naming the parameter.
  const Template t = load(yaml);
  EXPECT_EQ(function(t, "F").environment.at("SECRET"), "");
  EXPECT_THAT(t.warning_lines,
              Contains(WarningLike(10,
                                   "uses parameter 'FromSsm' (read from SSM Parameter "
                                   "Store), which has no Default and no value")));
  EXPECT_EQ(function(load(yaml, {{"FromSsm", "s3cret"}}), "F").environment.at("SECRET"), "s3cret");
}

TEST_F(TemplateErrorsTest, DuplicateFunctionNames) {
  EXPECT_THAT(errors(R"(
Globals:
  Function: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: shared}
  Two:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: shared}
  shared:
    Type: AWS::Serverless::Function
  Bad:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: "has space"}
)"),
              ElementsAre(Problem(7,
                                  "function 'Two': its name 'shared' is already the name of "
                                  "function 'One' (line 4)"),
                          Problem(10,
                                  "function 'shared': its name 'shared' is already the name of "
                                  "function 'One' (line 4)"),
                          Problem(14,
                                  "function 'Bad': FunctionName 'has space' must be 1-64 "
                                  "characters from [A-Za-z0-9_-]")));
}

TEST_F(TemplateErrorsTest, EveryProblemIsCollectedNotJustTheFirst) {
  auto problems = errors(R"(
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: nope, Handler: app.handler, Runtime: python3.12, MemorySize: 1, Timeout: 0}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: ruby3.3, Bogus: 1}
)");
  // MemorySize, Timeout, Runtime, Bogus (CodeUri 'nope' is code not built yet: a warning).
  EXPECT_THAT(problems, SizeIs(4));
  EXPECT_THAT(problems, Contains(ProblemLike(7, "unknown property 'Bogus'")));
}

TEST_F(TemplateErrorsTest, FunctionNameTooLongNamesTheStackName) {
  // The stack is "local" unless overridden, as with sam local; a long override is named.
  const std::string yaml = R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub ${AWS::StackName}-scheduler-lambda-function
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
)";
  EXPECT_EQ(load(yaml).functions.at(0).name, "local-scheduler-lambda-function");
  const std::string stack = "apigw-dynamodb-lambda-scheduler-ses-auto-deletion-sam";
  EXPECT_THAT(errors(yaml, {{"AWS::StackName", stack}}),
              ElementsAre(Problem(5, "function 'Fn': FunctionName '" + stack +
                                         "-scheduler-lambda-function' must be 1-64 characters "
                                         "from [A-Za-z0-9_-] (AWS::StackName is '" +
                                         stack +
                                         "': --parameter-overrides AWS::StackName=NAME sets a "
                                         "shorter one)")));
}

// Aliases that make a cycle or expand exponentially: an error, not a hang or a stack overflow
// (found by fuzz_template).
TEST_F(TemplateErrorsTest, AliasCyclesAndExpansionsAreErrors) {
  // fuzz_template's input: two merges of an anchor inside itself (a cycle that also doubles).
  const auto cycle = errors(R"(
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties: &common
      Handler: app.handler
      Inner:
        <<: *common
        Again:
          <<: *common
)");
  ASSERT_FALSE(cycle.empty());
  // A billion laughs: ten levels of ten aliases each.
  std::string laughs = "Mappings:\n  L:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    laughs += "    a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) laughs += (j ? ", *a" : "*a") + std::to_string(i - 1);
    laughs += "]\n";
  }
  laughs += "Resources: {}\n";
  const auto expanded = errors(laughs);
  EXPECT_TRUE(std::any_of(expanded.begin(), expanded.end(), [](const TemplateProblem& p) {
    return p.message.find("expands to more than") != std::string::npos;
  }));
}

}  // namespace
}  // namespace lambdad::deploy::testing
