// Globals: merged into resources as SAM does.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::ElementsAre;

class TemplateGlobalsTest : public TemplateFixture {};

TEST_F(TemplateGlobalsTest, ScalarsAreOverriddenMapsMergedListsAppended) {
  const Template t = load(R"(
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src
    Timeout: 10
    MemorySize: 256
    Layers: [layer1]
    Environment:
      Variables:
        SHARED: global
        OVERRIDDEN: global
Resources:
  Plain:
    Type: AWS::Serverless::Function
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 20
      Layers: [layer2]
      Environment:
        Variables:
          OVERRIDDEN: local
          OWN: local
)");
  const FunctionConfig& plain = function(t, "Plain");
  EXPECT_EQ(plain.runtime, "python3.12");
  EXPECT_EQ(plain.handler, "app.handler");
  EXPECT_EQ(plain.timeout_s, 10);
  EXPECT_EQ(plain.memory_mb, 256);
  EXPECT_THAT(plain.layers, ElementsAre(fs::canonical(dir_ / "layer1")));
  EXPECT_EQ(plain.environment,
            (std::map<std::string, std::string>{{"SHARED", "global"}, {"OVERRIDDEN", "global"}}));

  const FunctionConfig& custom = function(t, "Custom");
  EXPECT_EQ(custom.timeout_s, 20);
  EXPECT_EQ(custom.memory_mb, 256);
  EXPECT_THAT(custom.layers,
              ElementsAre(fs::canonical(dir_ / "layer1"), fs::canonical(dir_ / "layer2")));
  EXPECT_EQ(custom.environment,
            (std::map<std::string, std::string>{
                {"SHARED", "global"}, {"OVERRIDDEN", "local"}, {"OWN", "local"}}));
}

TEST_F(TemplateGlobalsTest, AnIntrinsicIsAPrimitiveSoTheResourceWins) {
  const Template t = load(R"(
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src
    Environment:
      Variables:
        FROM_GLOBALS: "1"
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Environment: !If
        - IsProd
        - Variables: {PROD: "1"}
        - Variables: {DEV: "1"}
)");
  EXPECT_EQ(function(t, "F").environment, (std::map<std::string, std::string>{{"DEV", "1"}}));
}

TEST_F(TemplateGlobalsTest, GlobalsErrorsPointAtTheGlobalsLine) {
  EXPECT_THAT(
      errors(R"(
Globals:
  Function:
    MemorySize: 64
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src
Resources:
  A:
    Type: AWS::Serverless::Function
  B:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 512
)"),
      ElementsAre(Problem(3, "function 'A': MemorySize must be between 128 and 10240 (got 64)")));
}

TEST_F(TemplateGlobalsTest, UnsupportedGlobalsAreErrors) {
  EXPECT_THAT(
      errors(R"(
Globals:
  Function:
    Runtime: python3.12
    FunctionName: shared
    Events: {}
  Queue:
    Foo: bar
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler}
)"),
      ElementsAre(ProblemLike(4, "Globals.Function: 'FunctionName' is not supported in Globals"),
                  ProblemLike(5, "Globals.Function: 'Events' is not supported in Globals"),
                  ProblemLike(6, "Globals: 'Queue' is not supported")));
}

TEST_F(TemplateGlobalsTest, ApiAndHttpApiGlobalsReachExplicitAndImplicitApis) {
  const Template t = load(R"(
Globals:
  Api:
    Cors: "'*'"
    BinaryMediaTypes: [image/png]
  HttpApi:
    CorsConfiguration:
      AllowOrigins: ["*"]
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      BinaryMediaTypes: [image/gif]
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Events:
        Implicit:
          Type: Api
          Properties: {Path: /a, Method: get}
        Explicit:
          Type: Api
          Properties: {Path: /b, Method: get, RestApiId: !Ref Rest}
        Http:
          Type: HttpApi
)");
  ASSERT_EQ(t.apis.size(), 3u);
  const ApiConfig& rest = t.apis[0];
  EXPECT_EQ(rest.logical_id, "Rest");
  EXPECT_EQ(rest.stage_name, "dev");
  ASSERT_TRUE(rest.settings.cors);
  EXPECT_EQ(rest.settings.cors->allow_origins, std::vector<std::string>{"*"});
  EXPECT_EQ(rest.settings.binary_media_types, (std::vector<std::string>{"image/png", "image/gif"}));

  const ApiConfig& implicit_http = t.apis[1];
  EXPECT_EQ(implicit_http.logical_id, "ServerlessHttpApi");
  EXPECT_TRUE(implicit_http.implicit);
  EXPECT_EQ(implicit_http.type, "AWS::Serverless::HttpApi");
  EXPECT_EQ(implicit_http.stage_name, "$default");
  ASSERT_TRUE(implicit_http.settings.cors);
  EXPECT_EQ(implicit_http.settings.cors->allow_origins, std::vector<std::string>{"*"});

  const ApiConfig& implicit_rest = t.apis[2];
  EXPECT_EQ(implicit_rest.logical_id, "ServerlessRestApi");
  EXPECT_TRUE(implicit_rest.implicit);
  EXPECT_EQ(implicit_rest.stage_name, "Prod");
  ASSERT_TRUE(implicit_rest.settings.cors);
  EXPECT_EQ(implicit_rest.settings.cors->allow_origins, std::vector<std::string>{"*"});
}

}  // namespace
}  // namespace lambdad::deploy::testing
