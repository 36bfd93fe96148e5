// Intrinsic functions, short and long form, as they resolve into function properties.
#include <cstdlib>

#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class TemplateIntrinsicsTest : public TemplateFixture {
 protected:
  void SetUp() override {
    TemplateFixture::SetUp();
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
      if (const char* value = std::getenv(name)) saved_[name] = value;
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
    TemplateFixture::TearDown();
  }

  /// The environment of function F in a template whose Variables block is `variables`
  /// (indented by 10) and whose other sections are `head`.
  std::map<std::string, std::string> env(const std::string& head, const std::string& variables,
                                         const std::map<std::string, std::string>& overrides = {}) {
    const Template t = load(head + R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
)" + variables + R"(
  Table:
    Type: AWS::DynamoDB::Table
  Fn2:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12, FunctionName: other-fn}
)",
                            overrides);
    return function(t, "F").environment;
  }

  std::map<std::string, std::string> saved_;
};

const std::string kParameters = R"(
Parameters:
  Stage:
    Type: String
    Default: dev
  Count:
    Type: Number
    Default: 3
  Names:
    Type: CommaDelimitedList
    Default: "a, b,c"
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: {"Fn::Equals": [{"Ref": Stage}, dev]}
  Both: !And [!Condition IsDev, !Not [!Condition IsProd]]
  Either: !Or [{Condition: IsProd}, !Equals [!Ref Count, 3]]
Mappings:
  Sizes:
    dev: {mem: 256, name: small}
    prod: {mem: 2048, name: large}
)";

TEST_F(TemplateIntrinsicsTest, RefToParametersAndPseudoParameters) {
  setenv("AWS_REGION", "eu-west-3", 1);
  const auto e = env(kParameters, R"(
          STAGE: !Ref Stage
          COUNT: {Ref: Count}
          REGION: !Ref AWS::Region
          ACCOUNT: !Ref AWS::AccountId
          STACK: !Ref AWS::StackName
          PARTITION: !Ref AWS::Partition
          SUFFIX: !Ref AWS::URLSuffix
          GONE: !Ref AWS::NoValue
)");
  EXPECT_EQ(e.at("STAGE"), "dev");
  EXPECT_EQ(e.at("COUNT"), "3");
  EXPECT_EQ(e.at("REGION"), "eu-west-3");
  EXPECT_EQ(e.at("ACCOUNT"), "123456789012");
  EXPECT_EQ(e.at("STACK"), "local");  // sam local's default, whatever the folder is called
  EXPECT_EQ(e.at("PARTITION"), "aws");
  EXPECT_EQ(e.at("SUFFIX"), "amazonaws.com");
  EXPECT_FALSE(e.contains("GONE"));
}

TEST_F(TemplateIntrinsicsTest, RegionFallsBackToDefaultRegionThenUsEast1) {
  EXPECT_EQ(env("", "          RR: !Ref AWS::Region\n").at("RR"), "us-east-1");
  setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
  EXPECT_EQ(env("", "          RR: !Ref AWS::Region\n").at("RR"), "ap-south-1");
}

TEST_F(TemplateIntrinsicsTest, OverridesWinOverDefaults) {
  const auto e = env(kParameters, "          STAGE: !Ref Stage\n", {{"Stage", "prod"}});
  EXPECT_EQ(e.at("STAGE"), "prod");
}

TEST_F(TemplateIntrinsicsTest, RefToResourcesGivesTheirName) {
  const auto e = env("", R"(
          TABLE: !Ref Table
          OTHER: !Ref Fn2
          SELF: !Ref F
)");
  // CloudFormation's physical name: <stack>-<LogicalId>-<12 characters>.
  EXPECT_THAT(e.at("TABLE"), ::testing::MatchesRegex("local-Table-[A-Z0-9]{12}"));
  EXPECT_EQ(e.at("OTHER"), "other-fn");
  EXPECT_EQ(e.at("SELF"), "F");
}

TEST_F(TemplateIntrinsicsTest, SubStringFormAndEscape) {
  const auto e = env(kParameters, R"(
          SA: !Sub "${AWS::StackName}-${Stage}-${Count}"
          SB: !Sub "literal ${!Stage} and ${ Stage }"
          SC: {"Fn::Sub": "table=${Table} fn=${Fn2}"}
          SD: !Sub "no variables, an unclosed ${ stays"
)");
  EXPECT_EQ(e.at("SA"), "local-dev-3");
  EXPECT_EQ(e.at("SB"), "literal ${Stage} and dev");
  EXPECT_THAT(e.at("SC"), ::testing::MatchesRegex("table=local-Table-[A-Z0-9]{12} fn=other-fn"));
  EXPECT_EQ(e.at("SD"), "no variables, an unclosed ${ stays");
}

TEST_F(TemplateIntrinsicsTest, SubListFormWithVariables) {
  const auto e = env(kParameters, R"(
          SA: !Sub
            - "${Name}.${Stage}.${AWS::Region}"
            - Name: !Join ["-", [x, !Ref Stage]]
          SB:
            Fn::Sub: ["${Stage}=${Stage}", {Stage: shadowed}]
)");
  EXPECT_EQ(e.at("SA"), "x-dev.dev.us-east-1");
  EXPECT_EQ(e.at("SB"), "shadowed=shadowed");
}

TEST_F(TemplateIntrinsicsTest, JoinSelectSplit) {
  const auto e = env(kParameters, R"(
          JOIN: !Join [",", [a, !Ref Stage, 3]]
          JOINLIST: !Join ["|", !Ref Names]
          EMPTY: !Join ["", []]
          SELECT: !Select [1, [x, y, z]]
          SELECTREF: !Select [2, !Ref Names]
          SPLIT: !Select [1, !Split ["/", "a/b/c"]]
          LONG: {"Fn::Join": ["", [{"Fn::Select": ["0", {"Fn::Split": [".", "k.v"]}]}, "!"]]}
)");
  EXPECT_EQ(e.at("JOIN"), "a,dev,3");
  EXPECT_EQ(e.at("JOINLIST"), "a|b|c");
  EXPECT_EQ(e.at("EMPTY"), "");
  EXPECT_EQ(e.at("SELECT"), "y");
  EXPECT_EQ(e.at("SELECTREF"), "c");
  EXPECT_EQ(e.at("SPLIT"), "b");
  EXPECT_EQ(e.at("LONG"), "k!");
}

TEST_F(TemplateIntrinsicsTest, ConditionsAndIf) {
  const auto e = env(kParameters, R"(
          PROD: !If [IsProd, yes-prod, not-prod]
          DEV: !If [IsDev, yes-dev, not-dev]
          BOTH: !If [Both, both, neither]
          EITHER: {"Fn::If": [Either, either, none]}
          DROPPED: !If [IsProd, kept, !Ref AWS::NoValue]
          EQUALS: !Equals [a, a]
)");
  EXPECT_EQ(e.at("PROD"), "not-prod");
  EXPECT_EQ(e.at("DEV"), "yes-dev");
  EXPECT_EQ(e.at("BOTH"), "both");
  EXPECT_EQ(e.at("EITHER"), "either");
  EXPECT_FALSE(e.contains("DROPPED"));
  EXPECT_EQ(e.at("EQUALS"), "true");
}

TEST_F(TemplateIntrinsicsTest, ConditionsFollowOverrides) {
  const auto e =
      env(kParameters, "          PROD: !If [IsProd, yes-prod, not-prod]\n", {{"Stage", "prod"}});
  EXPECT_EQ(e.at("PROD"), "yes-prod");
}

TEST_F(TemplateIntrinsicsTest, FindInMap) {
  const auto e = env(kParameters, R"(
          NAME: !FindInMap [Sizes, !Ref Stage, name]
          LONG: {"Fn::FindInMap": [Sizes, prod, mem]}
          DEFAULTED: !FindInMap [Sizes, test, name, {DefaultValue: tiny}]
)");
  EXPECT_EQ(e.at("NAME"), "small");
  EXPECT_EQ(e.at("LONG"), "2048");
  EXPECT_EQ(e.at("DEFAULTED"), "tiny");
}

TEST_F(TemplateIntrinsicsTest, IntrinsicsResolveNumericProperties) {
  const Template t = load(kParameters + R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: !Select [0, [src]]
      Handler: !Join [".", [app, handler]]
      Runtime: !If [IsProd, python3.13, python3.12]
      MemorySize: !FindInMap [Sizes, !Ref Stage, mem]
      Timeout: !Ref Count
)");
  EXPECT_EQ(function(t, "F").memory_mb, 256);
  EXPECT_EQ(function(t, "F").timeout_s, 3);
  EXPECT_EQ(function(t, "F").handler, "app.handler");
  EXPECT_EQ(function(t, "F").runtime, "python3.12");
}

TEST_F(TemplateIntrinsicsTest, NoValueRemovesAProperty) {
  const Template t = load(kParameters + R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      MemorySize: !If [IsProd, 4096, !Ref AWS::NoValue]
      Layers:
        - !If [IsProd, layer1, !Ref AWS::NoValue]
        - layer2
)");
  EXPECT_EQ(function(t, "F").memory_mb, 128);
  EXPECT_THAT(function(t, "F").layers, ElementsAre(fs::canonical(dir_ / "layer2")));
}

TEST_F(TemplateIntrinsicsTest, Base64ToJsonStringAndLength) {
  const auto e = env(kParameters, R"(
          B64: !Base64 "hello"
          JSON: {"Fn::ToJsonString": {a: 1, b: [true, x]}}
          LEN: {"Fn::Length": [1, 2, 3]}
)");
  EXPECT_EQ(e.at("B64"), "aGVsbG8=");
  EXPECT_EQ(e.at("JSON"), R"({"a":1,"b":[true,"x"]})");
  EXPECT_EQ(e.at("LEN"), "3");
}

TEST_F(TemplateIntrinsicsTest, GetAttInEnvironmentIsEmptyWithAWarning) {
  const Template t = load(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          ARN: !GetAtt Table.Endpoint
          STREAM: {"Fn::GetAtt": [Table, Endpoint]}
          SUBBED: !Sub "${Table.Endpoint}/index"
          IMPORTED: !ImportValue shared-vpc
  Table:
    Type: Custom::Table
)");
  // Attributes lambdad does not know (here of a custom resource).
  const auto& e = function(t, "F").environment;
  EXPECT_EQ(e.at("ARN"), "");
  EXPECT_EQ(e.at("STREAM"), "");
  EXPECT_EQ(e.at("SUBBED"), "");
  EXPECT_EQ(e.at("IMPORTED"), "");
  EXPECT_THAT(
      t.warning_lines,
      ::testing::IsSupersetOf(
          {WarningLike(10,
                       "environment variable 'ARN' uses Fn::GetAtt, which lambdad "
                       "cannot resolve locally; it is set to ''"),
           WarningLike(11, "'STREAM' uses Fn::GetAtt"), WarningLike(12, "'SUBBED' uses Fn::Sub"),
           WarningLike(13, "'IMPORTED' uses Fn::ImportValue")}));
}

TEST_F(TemplateIntrinsicsTest, GetAttStaysUnresolvedJsonInEventProperties) {
  const Template t = load(R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
            Input: !Sub '{"queue": "${Queue.Endpoint}"}'
            Description: !GetAtt Queue.Endpoint
  Queue:
    Type: Custom::Queue
)");
  const nlohmann::json& p = function(t, "F").events.at(0).properties;
  EXPECT_EQ(p["Description"], nlohmann::json::parse(R"({"Fn::GetAtt": ["Queue", "Endpoint"]})"));
  EXPECT_EQ(p["Input"],
            nlohmann::json::parse(R"({"Fn::Sub": "{\"queue\": \"${Queue.Endpoint}\"}"})"));
}

TEST_F(TemplateIntrinsicsTest, ListParameterRefGivesAList) {
  const Template t = load(kParameters + R"(
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Tags:
        names: !Ref Names
)");
  EXPECT_EQ(function(t, "F").properties["Tags"]["names"], nlohmann::json({"a", "b", "c"}));
}

}  // namespace
}  // namespace lambdad::deploy::testing
