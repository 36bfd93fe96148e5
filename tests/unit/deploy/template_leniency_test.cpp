// Templates as users write them and SAM accepts them: newer runtimes, parameters without
// Default, newer properties, duplicate keys, extra resource attributes, resource types lambdad
// does not create. What SAM rejects stays an error.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class TemplateLeniencyTest : public TemplateFixture {
 protected:
  static std::string with_function(const std::string& properties, const std::string& head = "",
                                   const std::string& more = "") {
    return head + R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
)" + properties +
           more;
  }

  /// The error of a template that must fail, with the warnings it carries.
  TemplateError failure(const std::string& yaml,
                        const std::map<std::string, std::string>& overrides = {}) {
    try {
      load(yaml, overrides);
    } catch (const TemplateError& e) {
      return e;
    }
    ADD_FAILURE() << "the template loaded without errors";
    return TemplateError(dir_, {});
  }
};

TEST_F(TemplateLeniencyTest, NewerRuntimesOfKnownFamiliesLoad) {
  for (const char* runtime : {"nodejs24.x", "nodejs26.x", "nodejs12.x", "nodejs4.3", "python3.14",
                              "python3.20", "provided.al2027"}) {
    const Template t = load(with_function(std::string("      Runtime: ") + runtime + "\n"));
    EXPECT_EQ(function(t, "F").runtime, runtime);
  }
}

TEST_F(TemplateLeniencyTest, OtherFamiliesAreAnErrorNamingTheRuntime) {
  for (const char* runtime :
       {"java21", "dotnet8", "ruby3.3", "go1.x", "provided.al2023023", "Python3.12"}) {
    EXPECT_THAT(
        errors(with_function(std::string("      Runtime: ") + runtime + "\n")),
        ElementsAre(ProblemLike(7, std::string("Runtime '") + runtime + "' is not run by lambdad")))
        << runtime;
  }
}

const std::string kNoDefault = R"(
Parameters:
  TableName:
    Type: String
  Memory:
    Type: Number
  Unused:
    Type: String
  Secret:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /app/secret
Conditions:
  IsProd: !Equals [!Ref TableName, prod]
)";

TEST_F(TemplateLeniencyTest, ParametersWithoutDefaultStayUnresolvedAsInSamLocal) {
  const Template t = load(with_function(R"(      Runtime: python3.12
      Description: !Sub 'reads ${TableName}'
      Environment:
        Variables:
          TABLE: !Ref TableName
          ARN: !Sub 'arn:aws:dynamodb:::table/${TableName}'
          SECRET: !Ref Secret
          PROD: !If [IsProd, 'yes', 'no']
)",
                                        kNoDefault));
  const auto& env = function(t, "F").environment;
  EXPECT_EQ(env.at("TABLE"), "");
  EXPECT_EQ(env.at("ARN"), "");
  EXPECT_EQ(env.at("SECRET"), "");
  EXPECT_EQ(env.at("PROD"), "no");
  EXPECT_THAT(t.warnings,
              Contains(HasSubstr("environment variable 'TABLE' uses parameter 'TableName', which "
                                 "has no Default and no value: give it one with "
                                 "--parameter-overrides TableName=VALUE; it is set to ''")));
  EXPECT_THAT(t.warnings, Contains(HasSubstr("'Secret' (read from SSM Parameter Store)")));
  EXPECT_THAT(t.warnings, Contains(HasSubstr("Fn::Equals uses parameter 'TableName'")));
}

TEST_F(TemplateLeniencyTest, APropertyLambdadNeedsNamesTheMissingParameter) {
  EXPECT_THAT(errors(with_function("      Runtime: python3.12\n      MemorySize: !Ref Memory\n",
                                   kNoDefault)),
              ElementsAre(Problem(21,
                                  "function 'F': MemorySize uses parameter 'Memory', which has "
                                  "no Default and no value: give it one with "
                                  "--parameter-overrides Memory=VALUE")));
  const Template t =
      load(with_function("      Runtime: python3.12\n      MemorySize: !Ref Memory\n", kNoDefault),
           {{"Memory", "512"}});
  EXPECT_EQ(function(t, "F").memory_mb, 512);
}

TEST_F(TemplateLeniencyTest, NewerSamPropertiesAreWarningsWithTheirLine) {
  const Template t = load(with_function(R"(      Runtime: python3.12
      DurableConfig: {ExecutionTimeout: 3600}
      CapacityProviderConfig: {Arn: arn:aws:lambda:us-east-1:123456789012:capacity-provider:x}
      FunctionScalingConfig: {MinExecutionEnvironments: 1}
      TenancyConfig: {TenantIsolationMode: PER_TENANT}
      PublishToLatestPublished: true
      PropagateTags: true
)",
                                        R"(
Globals:
  Function:
    DurableConfig: {ExecutionTimeout: 60}
  Api:
    SecurityPolicy: TLS_1_2
    EndpointAccessMode: PRIVATE
  CapacityProvider:
    InstanceRequirements: {}
)"));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(17, "DurableConfig: durable executions")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(18, "CapacityProviderConfig")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(20, "TenancyConfig")));
}

TEST_F(TemplateLeniencyTest, MisspelledPropertiesAreStillErrors) {
  EXPECT_THAT(errors(with_function("      Runtime: python3.12\n      Memorysize: 256\n")),
              ElementsAre(Problem(8, "function 'F': unknown property 'Memorysize'")));
  EXPECT_THAT(errors(with_function("      Runtime: python3.12\n", "", R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageNme: prod
      SecurityPolicy: TLS_1_2
      Policy: {}
      AlwaysDeploy: true
      DisableExecuteApiEndpoint: true
  Table:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKeys: {}
)")),
              ElementsAre(ProblemLike(12, "api 'Api': unknown property 'StageNme'"),
                          ProblemLike(20, "resource 'Table': unknown property 'PrimaryKeys'")));
}

TEST_F(TemplateLeniencyTest, EventPropertiesFollowSamsLists) {
  const std::string events = R"(      Runtime: python3.12
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig: {MaximumConcurrency: 5}
        Stream:
          Type: DynamoDB
          Properties: {Stream: !GetAtt T.StreamArn, StartingPosition: LATEST, BatchSiz: 1}
        Bogus:
          Type: Sqs
)";
  const std::string resources = R"(
  Q:
    Type: AWS::SQS::Queue
  T:
    Type: AWS::DynamoDB::Table
)";
  EXPECT_THAT(errors(with_function(events, "", resources)),
              ElementsAre(ProblemLike(18, "unknown DynamoDB property 'BatchSiz'"),
                          ProblemLike(20, "unknown event type 'Sqs'")));
}

TEST_F(TemplateLeniencyTest, DuplicateKeysKeepTheLastValueWithAWarning) {
  const Template t =
      load(with_function("      Runtime: python3.12\n      Timeout: 5\n      "
                         "Timeout: 7\n"));
  EXPECT_EQ(function(t, "F").timeout_s, 7);
  EXPECT_THAT(
      t.warning_lines,
      Contains(WarningLike(9, "duplicate key 'Timeout' at lines 8 and 9; the last one is used")));
}

TEST_F(TemplateLeniencyTest, UnknownResourceAttributesAreWarnings) {
  const Template t = load(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Description: my function
    Version: 1
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
)");
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(4, "unknown attribute 'Description'")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(5, "unknown attribute 'Version'")));
}

TEST_F(TemplateLeniencyTest, ResourceTypesLambdadDoesNotCreateAreAccepted) {
  const Template t = load(with_function("      Runtime: python3.12\n", "", R"(
  Role:
    Type: AWS::IAM::Role
  Role2:
    Type: AWS::IAM::Role
  Bucket:
    Type: AWS::S3::Bucket
  Custom:
    Type: Custom::Seed
    Properties: {ServiceToken: !GetAtt F.Arn}
  Nested:
    Type: AWS::Serverless::Application
    Properties: {Location: {ApplicationId: x, SemanticVersion: 1.0.0}}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties: {Definition: {}, DefinitionSubstitutions: {}}
)"));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(0, "AWS::IAM::Role x2, AWS::S3::Bucket")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(18, "AWS::Serverless::Application")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(21, "AWS::Serverless::StateMachine")));
  EXPECT_THAT(t.warnings, Not(Contains(HasSubstr("resource 'Role'"))));
}

TEST_F(TemplateLeniencyTest, WarningsAreKeptWhenTheTemplateHasErrors) {
  const TemplateError e =
      failure(with_function("      Runtime: java21\n      Timeout: 3\n      "
                            "Timeout: 4\n"));
  EXPECT_THAT(e.problems(), ElementsAre(ProblemLike(7, "Runtime 'java21'")));
  EXPECT_THAT(e.warnings(), Contains(ProblemLike(9, "duplicate key 'Timeout'")));
}

}  // namespace
}  // namespace lambdad::deploy::testing

namespace lambdad::deploy::testing {
namespace {

TEST_F(TemplateLeniencyTest, WhatLambdaAcceptsAndOnlyFailsAtRunTimeIsAWarning) {
  const Template t = load(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: code/handler
      Runtime: python3.12
      Description: ""
      Environment:
      Layers:
        - !Sub arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV2:46
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: !GetAtt Generator.ApiKey}
  Generator:
    Type: Custom::KeyGenerator
)");
  EXPECT_THAT(function(t, "F").environment, Not(Contains(::testing::Key("Variables"))));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(6,
                                                    "Handler 'code/handler' is not "
                                                    "<file>.<function>")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(11,
                                                    "is a published layer, which lambdad "
                                                    "cannot download")));
  EXPECT_THAT(t.warning_lines, Contains(WarningLike(14, "ApiKey.Value uses Fn::GetAtt")));
}

}  // namespace
}  // namespace lambdad::deploy::testing
