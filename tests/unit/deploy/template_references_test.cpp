// Ref / Fn::GetAtt / ${...} to the template's resources and to the ones SAM generates, resolved
// as CloudFormation would.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class TemplateReferencesTest : public TemplateFixture {
 protected:
  /// Function F's environment; the stack is "app" in us-west-2 (overridden pseudo parameters).
  std::map<std::string, std::string> env(const std::string& variables,
                                         const std::string& resources = "") {
    const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get}}
        Http: {Type: HttpApi}
      Environment:
        Variables:
)" + variables + R"(
  Queue:
    Type: AWS::SQS::Queue
  NamedQueue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: orders}
  Topic:
    Type: AWS::SNS::Topic
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: !Sub '${AWS::StackName}-bus'}
  Rule:
    Type: AWS::Events::Rule
  Logs:
    Type: AWS::Logs::LogGroup
  Table:
    Type: AWS::DynamoDB::Table
  Simple:
    Type: AWS::Serverless::SimpleTable
  Bucket:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties: {StateMachineName: flow}
  MyApi:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
  Thing:
    Type: Custom::Thing
)" + resources,
                            {{"AWS::StackName", "app"}, {"AWS::Region", "us-west-2"}});
    warnings_ = t.warnings;
    return function(t, "F").environment;
  }

  std::vector<std::string> warnings_;
};

TEST_F(TemplateReferencesTest, ResourcesLambdadKnowsResolveInEnvironmentVariables) {
  const auto e = env(R"(
          QUEUE_ARN: !GetAtt Queue.Arn
          QUEUE_NAME: !GetAtt NamedQueue.QueueName
          QUEUE_URL: !Ref NamedQueue
          QUEUE_URL2: !GetAtt NamedQueue.QueueUrl
          TOPIC: !Ref Topic
          TOPIC_NAME: !GetAtt Topic.TopicName
          BUS: !Ref Bus
          BUS_ARN: !GetAtt Bus.Arn
          RULE_ARN: !GetAtt Rule.Arn
          LOGS_ARN: !GetAtt Logs.Arn
          TABLE_STREAM: !GetAtt Table.StreamArn
          SIMPLE_ARN: !GetAtt Simple.Arn
          BUCKET_ARN: !GetAtt Bucket.Arn
          BUCKET_DOMAIN: !GetAtt Bucket.DomainName
          ROLE_ARN: !GetAtt Role.Arn
          MACHINE: !Ref Machine
          MACHINE_NAME: !GetAtt Machine.Name
          FN_ARN: !GetAtt F.Arn
          SUB: !Sub 'arn=${Queue.Arn} name=${NamedQueue.QueueName}'
)");
  EXPECT_THAT(e.at("QUEUE_ARN"),
              MatchesRegex("arn:aws:sqs:us-west-2:123456789012:app-Queue-[A-Z0-9]{12}"));
  EXPECT_EQ(e.at("QUEUE_NAME"), "orders");
  EXPECT_EQ(e.at("QUEUE_URL"), "https://sqs.us-west-2.amazonaws.com/123456789012/orders");
  EXPECT_EQ(e.at("QUEUE_URL2"), e.at("QUEUE_URL"));
  EXPECT_THAT(e.at("TOPIC"),
              MatchesRegex("arn:aws:sns:us-west-2:123456789012:app-Topic-[A-Z0-9]{12}"));
  EXPECT_EQ(e.at("TOPIC"), "arn:aws:sns:us-west-2:123456789012:" + e.at("TOPIC_NAME"));
  EXPECT_EQ(e.at("BUS"), "app-bus");
  EXPECT_EQ(e.at("BUS_ARN"), "arn:aws:events:us-west-2:123456789012:event-bus/app-bus");
  EXPECT_THAT(e.at("RULE_ARN"), HasSubstr(":rule/app-Rule-"));
  EXPECT_THAT(
      e.at("LOGS_ARN"),
      MatchesRegex("arn:aws:logs:us-west-2:123456789012:log-group:app-Logs-[A-Z0-9]{12}:\\*"));
  EXPECT_THAT(
      e.at("TABLE_STREAM"),
      MatchesRegex(
          "arn:aws:dynamodb:us-west-2:123456789012:table/app-Table-[A-Z0-9]{12}/stream/.*"));
  EXPECT_THAT(e.at("SIMPLE_ARN"), HasSubstr(":table/app-Simple-"));
  EXPECT_THAT(e.at("BUCKET_ARN"), MatchesRegex("arn:aws:s3:::app-bucket-[a-z0-9]{12}"));
  EXPECT_EQ(e.at("BUCKET_DOMAIN"), e.at("BUCKET_ARN").substr(13) + ".s3.amazonaws.com");
  EXPECT_THAT(e.at("ROLE_ARN"),
              MatchesRegex("arn:aws:iam::123456789012:role/app-Role-[A-Z0-9]{12}"));
  EXPECT_EQ(e.at("MACHINE"), "arn:aws:states:us-west-2:123456789012:stateMachine:flow");
  EXPECT_EQ(e.at("MACHINE_NAME"), "flow");
  EXPECT_EQ(e.at("FN_ARN"), "arn:aws:lambda:us-west-2:123456789012:function:F");
  EXPECT_EQ(e.at("SUB"), "arn=" + e.at("QUEUE_ARN") + " name=orders");
}

TEST_F(TemplateReferencesTest, ResourcesSamGeneratesResolve) {
  const auto e = env(R"(
          ROLE: !Ref FRole
          ROLE_ARN: !GetAtt FRole.Arn
          ALIAS: !Ref F.Alias
          ALIAS2: !Ref FAliaslive
          VERSION: !Ref F.Version
          VERSION2: !Ref FVersion0123456789
          REST: !Ref ServerlessRestApi
          REST_STAGE: !Ref ServerlessRestApiProdStage
          URL: !Sub 'https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/'
          HTTP: !Ref ServerlessHttpApi
          HTTP_STAGE: !Ref ServerlessHttpApiApiGatewayDefaultStage
          MY_STAGE: !Ref MyApiv1Stage
          MY_STAGE2: !Ref MyApi.Stage
          DEPLOYMENT: !Ref MyApiDeploymentabcdef0123
          FN_URL: !GetAtt FUrl.FunctionUrl
          KEY: !Ref MyApiApiKey
)");
  EXPECT_THAT(e.at("ROLE"), MatchesRegex("app-FRole-[A-Z0-9]{12}"));
  EXPECT_EQ(e.at("ROLE_ARN"), "arn:aws:iam::123456789012:role/" + e.at("ROLE"));
  EXPECT_EQ(e.at("ALIAS"), "arn:aws:lambda:us-west-2:123456789012:function:F:live");
  EXPECT_EQ(e.at("ALIAS2"), e.at("ALIAS"));
  EXPECT_EQ(e.at("VERSION"), "arn:aws:lambda:us-west-2:123456789012:function:F:1");
  EXPECT_EQ(e.at("VERSION2"), e.at("VERSION"));
  EXPECT_EQ(e.at("REST"), "ServerlessRestApi");
  EXPECT_EQ(e.at("REST_STAGE"), "Prod");
  EXPECT_EQ(e.at("URL"), "https://ServerlessRestApi.execute-api.us-west-2.amazonaws.com/Prod/");
  EXPECT_EQ(e.at("HTTP"), "ServerlessHttpApi");
  EXPECT_EQ(e.at("HTTP_STAGE"), "$default");
  EXPECT_EQ(e.at("MY_STAGE"), "v1");
  EXPECT_EQ(e.at("MY_STAGE2"), "v1");
  EXPECT_THAT(e.at("DEPLOYMENT"), MatchesRegex("[a-z0-9]{6}"));
  EXPECT_THAT(e.at("FN_URL"),
              MatchesRegex("https://[a-z0-9]{32}\\.lambda-url\\.us-west-2\\.on\\.aws/"));
  EXPECT_THAT(e.at("KEY"), MatchesRegex("[a-z0-9]{10}"));
}

TEST_F(TemplateReferencesTest, NamesAreTheSameOnEveryLoad) {
  const std::string variables = "          QA: !GetAtt Queue.Arn\n          RO: !Ref FRole\n";
  EXPECT_EQ(env(variables), env(variables));
}

TEST_F(TemplateReferencesTest, UnknownAttributesStayUnresolved) {
  const auto e = env(R"(
          THING: !GetAtt Thing.Endpoint
          MISSING: !GetAtt Queue.NoSuchAttribute
)");
  EXPECT_EQ(e.at("THING"), "");
  EXPECT_EQ(e.at("MISSING"), "");
  EXPECT_THAT(warnings_, Contains(HasSubstr("environment variable 'THING' uses Fn::GetAtt")));
}

TEST_F(TemplateReferencesTest, GeneratedNamesNeedTheirSource) {
  // No Role property: SAM makes FRole. With one, there is no FRole to refer to.
  EXPECT_THAT(errors(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/mine
      Environment:
        Variables:
          ROLE: !GetAtt FRole.Arn
)"),
              ElementsAre(ProblemLike(11, "Fn::GetAtt refers to unknown resource 'FRole'")));
}

TEST_F(TemplateReferencesTest, LongStackNamesAreCutAndPseudoParametersCanBeOverridden) {
  const Template t = load(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub '${AWS::StackName}-handler'
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          ROLE: !Ref FRole
          ACCOUNT: !Ref AWS::AccountId
)",
                          {{"AWS::StackName", "short"}, {"AWS::AccountId", "111122223333"}});
  const auto& f = function(t, "F");
  EXPECT_EQ(f.name, "short-handler");
  EXPECT_EQ(f.environment.at("ACCOUNT"), "111122223333");

  const Template long_stack = load(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          ROLE: !Ref FRole
)",
                                   {{"AWS::StackName", std::string(100, 's')}});
  EXPECT_EQ(function(long_stack, "F").environment.at("ROLE").size(), 64u);
}

}  // namespace
}  // namespace lambdad::deploy::testing
