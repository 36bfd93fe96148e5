// OpenAPI documents of Api / HttpApi resources (DefinitionBody, AWS::Include, DefinitionUri) as the
// loader reads them into typed routes, integrations and authorizers.

#include <chrono>
#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>

#include "lambdad/common/openapi_definition.hpp"
#include "template_fixture.hpp"

namespace lambdad::deploy {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ProblemLike;
using testing::WarningLike;
using Type = openapi::IntegrationType;

constexpr const char* kFunctions = R"(
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
  Auth:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: auth-fn
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
)";

class OpenApi : public testing::TemplateFixture {
 protected:
  /// A template with an Api (or HttpApi) `MyApi` whose properties are `api` (indented by 6).
  std::string with_api(std::string api, bool http = false) {
    if (api.starts_with('\n')) api.erase(0, 1);
    return std::string("Transform: AWS::Serverless-2016-10-31\nResources:\n  MyApi:\n    Type: ") +
           (http ? "AWS::Serverless::HttpApi" : "AWS::Serverless::Api") + "\n    Properties:\n" +
           api + kFunctions;
  }

  static const openapi::Definition& doc(const Template& t) {
    for (const auto& api : t.apis) {
      if (api.logical_id == "MyApi" && api.openapi) return *api.openapi;
    }
    throw std::runtime_error("MyApi has no OpenAPI definition");
  }

  static const openapi::Route& route(const openapi::Definition& d, const std::string& key) {
    for (const auto& r : d.routes) {
      if (r.method + " " + r.path == key) return r;
    }
    throw std::runtime_error("no route " + key);
  }
};

TEST_F(OpenApi, InlineLambdaProxyRoutesInEveryUriForm) {
  const Template t = load(with_api(R"(
      StageName: Prod
      DefinitionBody:
        swagger: '2.0'
        paths:
          /sub:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
          /alias:
            post:
              x-amazon-apigateway-integration:
                type: AWS_PROXY
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Alias}/invocations
          /list/{proxy+}:
            parameters:
              - name: proxy
                in: path
                required: true
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri:
                  Fn::Sub:
                    - arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Arn}/invocations
                    - Arn: !GetAtt Fn.Arn
          /getatt:
            put:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !GetAtt Auth.Arn
          /plain:
            delete:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth-fn:live/invocations
          /arn:
            patch:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: arn:aws:lambda:us-east-1:123456789012:function:Fn
)"));
  const auto& d = doc(t);
  ASSERT_EQ(d.routes.size(), 6u);
  EXPECT_EQ(route(d, "GET /sub").integration.function, "Fn");
  EXPECT_EQ(route(d, "GET /sub").integration.type, Type::kLambdaProxy);
  EXPECT_FALSE(route(d, "GET /sub").integration.payload_v2);
  EXPECT_EQ(route(d, "POST /alias").integration.function, "Fn:live");
  EXPECT_EQ(route(d, "ANY /list/{proxy+}").integration.function, "Fn");
  EXPECT_EQ(route(d, "PUT /getatt").integration.function, "auth-fn");
  EXPECT_EQ(route(d, "DELETE /plain").integration.function, "auth-fn:live");
  EXPECT_EQ(route(d, "PATCH /arn").integration.function, "Fn");
  for (const auto& r : d.routes) EXPECT_TRUE(r.integration.function_in_template) << r.path;
  EXPECT_EQ(d.source, "DefinitionBody");
}

TEST_F(OpenApi, HttpApiPayloadVersionDefaultsToOnePointZero) {
  const Template t = load(with_api(R"(
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /two:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: '2.0'
                uri: !GetAtt Fn.Arn
          /one:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: 1.0
                uri: !GetAtt Fn.Arn
          /unset:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !GetAtt Fn.Arn
          $default:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: '2.0'
                uri: !GetAtt Fn.Arn
)",
                                   true));
  const auto& d = doc(t);
  EXPECT_TRUE(route(d, "GET /two").integration.payload_v2);
  EXPECT_FALSE(route(d, "GET /one").integration.payload_v2);
  EXPECT_FALSE(route(d, "GET /unset").integration.payload_v2);
  EXPECT_TRUE(route(d, "ANY $default").integration.payload_v2);
}

TEST_F(OpenApi, MockHttpAndUnsupportedIntegrations) {
  const Template t = load(with_api(R"(
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /mock:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: '{"statusCode": 201}'
                responses:
                  '2\d{2}':
                    statusCode: '202'
                    responseParameters:
                      method.response.header.X-Mock: "'yes'"
                      method.response.header.X-Dynamic: integration.response.header.x
                    responseTemplates:
                      application/json: '{"mocked": true}'
                  default:
                    statusCode: '500'
            options:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: '{"statusCode" : 200}'
                responses:
                  default:
                    statusCode: 200
                    responseParameters:
                      method.response.header.Access-Control-Allow-Origin: "'*'"
          /up/{proxy+}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: ANY
                uri: http://127.0.0.1:9/base/{proxy}
                timeoutInMillis: 2000
                requestParameters:
                  integration.request.path.proxy: method.request.path.proxy
          /queue:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/my-queue
          /states:
            post:
              x-amazon-apigateway-integration:
                type: aws
                uri: arn:aws:apigateway:us-east-1:states:action/StartExecution
          /vtl:
            post:
              x-amazon-apigateway-integration:
                type: aws
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
)"));
  const auto& d = doc(t);
  const auto& mock = route(d, "GET /mock").integration;
  EXPECT_EQ(mock.type, Type::kMock);
  EXPECT_EQ(mock.mock_status, 202);
  ASSERT_EQ(mock.mock_headers.size(), 1u);
  EXPECT_EQ(mock.mock_headers[0].name, "X-Mock");
  EXPECT_EQ(mock.mock_headers[0].value, "yes");
  EXPECT_EQ(mock.mock_body, R"({"mocked": true})");
  EXPECT_EQ(route(d, "OPTIONS /mock").integration.mock_status, 200);
  EXPECT_EQ(route(d, "OPTIONS /mock").integration.mock_headers.at(0).value, "*");

  const auto& up = route(d, "ANY /up/{proxy+}").integration;
  EXPECT_EQ(up.type, Type::kHttp);
  EXPECT_EQ(up.uri, "http://127.0.0.1:9/base/{proxy}");
  EXPECT_EQ(up.http_method, "ANY");
  ASSERT_TRUE(up.timeout);
  EXPECT_EQ(*up.timeout, std::chrono::milliseconds(2000));

  EXPECT_EQ(route(d, "POST /queue").integration.type, Type::kUnsupported);
  EXPECT_EQ(route(d, "POST /queue").integration.unsupported, "an AWS service integration (sqs)");
  EXPECT_EQ(route(d, "POST /states").integration.unsupported,
            "an AWS service integration (states)");
  EXPECT_EQ(route(d, "POST /vtl").integration.type, Type::kUnsupported);
  // Each route lambdad does not run is named in a warning.
  for (const char* key : {"POST /queue", "POST /states", "POST /vtl"}) {
    bool found = false;
    for (const auto& w : t.warning_lines) {
      found |= w.message.find(std::string(key) + ": lambdad does not run") != std::string::npos;
    }
    EXPECT_TRUE(found) << key;
  }
  bool dynamic_warned = false;
  for (const auto& w : t.warning_lines) {
    dynamic_warned |= w.message.find("X-Dynamic is not a quoted static value") != std::string::npos;
  }
  EXPECT_TRUE(dynamic_warned);
}

TEST_F(OpenApi, SecuritySchemesBecomeAuthorizers) {
  const Template t = load(with_api(R"(
      DefinitionBody:
        swagger: '2.0'
        x-amazon-apigateway-api-key-source: AUTHORIZER
        securityDefinitions:
          TokenAuth:
            type: apiKey
            name: X-Token
            in: header
            x-amazon-apigateway-authtype: custom
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Auth.Arn}/invocations
              identitySource: method.request.header.X-Token
              identityValidationExpression: '^Bearer .+$'
              authorizerResultTtlInSeconds: 0
          RequestAuth:
            type: apiKey
            name: Unused
            in: header
            x-amazon-apigateway-authorizer:
              type: request
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Auth.Arn}/invocations
              identitySource: method.request.header.Who, method.request.querystring.q, stageVariables.s, context.path
          api_key:
            type: apiKey
            name: x-api-key
            in: header
        security:
          - TokenAuth: []
        paths:
          /guarded:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: !GetAtt Fn.Arn}
          /request:
            get:
              security:
                - RequestAuth: []
                  api_key: []
              x-amazon-apigateway-integration: {type: aws_proxy, uri: !GetAtt Fn.Arn}
          /open:
            get:
              security: []
              x-amazon-apigateway-integration: {type: aws_proxy, uri: !GetAtt Fn.Arn}
)"));
  const auto& d = doc(t);
  EXPECT_EQ(d.api_key_source, "AUTHORIZER");
  ASSERT_EQ(d.authorizers.size(), 2u);
  const auto& token = d.authorizers[0];
  EXPECT_EQ(token.name, "TokenAuth");
  EXPECT_EQ(token.format, openapi::Authorizer::Format::kToken);
  EXPECT_EQ(token.function, "auth-fn");
  ASSERT_EQ(token.identity.size(), 1u);
  EXPECT_EQ(token.identity[0].name, "X-Token");
  EXPECT_EQ(token.validation_expression, "^Bearer .+$");
  EXPECT_EQ(token.ttl, std::chrono::seconds(0));
  const auto& request = d.authorizers[1];
  EXPECT_EQ(request.format, openapi::Authorizer::Format::kRequest);
  EXPECT_EQ(request.ttl, std::chrono::seconds(300));
  ASSERT_EQ(request.identity.size(), 4u);
  EXPECT_EQ(request.identity[1].kind, openapi::IdentitySource::Kind::kQuery);
  EXPECT_EQ(request.identity[3].kind, openapi::IdentitySource::Kind::kContext);
  EXPECT_EQ(route(d, "GET /guarded").authorizer, "TokenAuth");
  EXPECT_FALSE(route(d, "GET /guarded").api_key_required);
  EXPECT_EQ(route(d, "GET /request").authorizer, "RequestAuth");
  EXPECT_TRUE(route(d, "GET /request").api_key_required);
  EXPECT_EQ(route(d, "GET /open").authorizer, "");
}

TEST_F(OpenApi, HttpApiAuthorizerAndCors) {
  const Template t = load(with_api(R"(
      DefinitionBody:
        openapi: 3.0.1
        x-amazon-apigateway-cors:
          allowOrigins: ['https://a.example']
          allowMethods: [GET, POST]
          maxAge: 60
          allowCredentials: true
        components:
          securitySchemes:
            Lambda:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authorizer:
                type: request
                authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Auth.Arn}/invocations
                authorizerPayloadFormatVersion: '2.0'
                enableSimpleResponses: true
                identitySource: $request.header.Authorization
                authorizerResultTtlInSeconds: 60
        paths:
          /me:
            get:
              security: [{Lambda: []}]
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: '2.0'
                uri: !GetAtt Fn.Arn
)",
                                   true));
  const auto& d = doc(t);
  ASSERT_EQ(d.authorizers.size(), 1u);
  EXPECT_EQ(d.authorizers[0].format, openapi::Authorizer::Format::kHttp2);
  EXPECT_TRUE(d.authorizers[0].simple_responses);
  EXPECT_EQ(d.authorizers[0].ttl, std::chrono::seconds(60));
  EXPECT_EQ(d.authorizers[0].identity.at(0).name, "Authorization");
  EXPECT_EQ(route(d, "GET /me").authorizer, "Lambda");
  ASSERT_TRUE(d.cors);
  EXPECT_THAT(d.cors->allow_origins, ElementsAre("https://a.example"));
  EXPECT_EQ(d.cors->max_age, "60");
  EXPECT_TRUE(d.cors->allow_credentials);
}

TEST_F(OpenApi, IncludeTransformReadsALocalFileWithIntrinsics) {
  write("api/openapi.yaml", R"(
openapi: 3.0.1
paths:
  /inc:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri:
          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
)");
  const Template t = load(with_api(R"(
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: ./api/openapi.yaml
)"));
  const auto& d = doc(t);
  EXPECT_EQ(route(d, "GET /inc").integration.function, "Fn");
  EXPECT_EQ(d.source, "DefinitionBody (AWS::Include './api/openapi.yaml')");
}

TEST_F(OpenApi, DefinitionUriReadsJsonAndYamlAsWritten) {
  write("spec.json", R"({"openapi": "3.0.1", "paths": {"/j": {"get": {
    "x-amazon-apigateway-integration": {"type": "aws_proxy", "payloadFormatVersion": "2.0",
      "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}}})");
  const Template t = load(with_api("      DefinitionUri: spec.json\n", true));
  const auto& d = doc(t);
  EXPECT_EQ(route(d, "GET /j").integration.function, "Fn");
  EXPECT_TRUE(route(d, "GET /j").integration.payload_v2);
  EXPECT_EQ(d.source, "spec.json");
}

TEST_F(OpenApi, EventsBesideTheDocumentStillLoad) {
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        swagger: '2.0'
        paths:
          /doc:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: !GetAtt Fn.Arn}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Ev:
          Type: Api
          Properties: {RestApiId: !Ref MyApi, Path: /event, Method: get}
)");
  EXPECT_EQ(doc(t).routes.size(), 1u);
  EXPECT_EQ(function(t, "Fn").events.size(), 1u);
}

// --- bad input -----------------------------------------------------------------------------

TEST_F(OpenApi, DocumentNotAMap) {
  EXPECT_THAT(errors(with_api("      DefinitionBody: [1, 2]\n")),
              Contains(ProblemLike(6, "the OpenAPI document must be a map")));
}

// SAM adds each Api / HttpApi event of the API to the document, which may have no paths of its
// own (only info, security schemes, CORS): the routes are the events'.
TEST_F(OpenApi, DocumentWithoutPathsTakesTheEventsRoutes) {
  for (const char* body :
       {"      DefinitionBody:\n        openapi: 3.0.1\n        info: {title: x}\n",
        "      DefinitionBody:\n        openapi: 3.0.1\n        paths:\n"}) {
    const Template t = load(with_api(std::string(body) + R"(
  EvFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Ev:
          Type: Api
          Properties: {RestApiId: !Ref MyApi, Path: /event, Method: get}
)"));
    EXPECT_THAT(doc(t).routes, IsEmpty());
    EXPECT_EQ(function(t, "EvFn").events.size(), 1u);
  }
  EXPECT_THAT(
      errors(with_api("      DefinitionBody:\n        openapi: 3.0.1\n        paths: [1]\n")),
      Contains(ProblemLike(8, "paths must be a map, got")));
}

TEST_F(OpenApi, PathWithoutSlashAndBadMethod) {
  const auto problems = errors(with_api(R"(
      DefinitionBody:
        openapi: 3.0.1
        paths:
          pets:
            get: {}
          /pets:
            fetch:
              x-amazon-apigateway-integration: {type: mock}
)"));
  EXPECT_THAT(problems, Contains(ProblemLike(9, "path 'pets' must start with '/'")));
  EXPECT_THAT(problems, Contains(ProblemLike(12, "'fetch' is not an HTTP method")));
}

TEST_F(OpenApi, MissingFunction) {
  // A Sub naming no resource fails as in CloudFormation; an ARN of another function loads with
  // a warning (its requests answer 500).
  EXPECT_THAT(errors(with_api(R"(
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /x:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Nope.Arn}/invocations
)")),
              Contains(ProblemLike(13, "unknown variable, parameter or resource 'Nope.Arn'")));
  const Template t = load(with_api(R"(
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /x:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: arn:aws:lambda:us-east-1:123456789012:function:elsewhere
)"));
  EXPECT_FALSE(route(doc(t), "GET /x").integration.function_in_template);
  EXPECT_THAT(t.warning_lines,
              Contains(WarningLike(10, "GET /x: function 'elsewhere' is not in this template")));
}

TEST_F(OpenApi, DefinitionUriOutsideTheFolderMissingOrS3) {
  write("../outside-openapi.yaml", "openapi: 3.0.1\npaths: {}\n");
  EXPECT_THAT(errors(with_api("      DefinitionUri: ../outside-openapi.yaml\n")),
              Contains(ProblemLike(6, "is outside the template's folder")));
  std::filesystem::remove(dir_ / "../outside-openapi.yaml");
  EXPECT_THAT(errors(with_api("      DefinitionUri: nothere.yaml\n")),
              Contains(ProblemLike(6, "file 'nothere.yaml' does not exist")));
  EXPECT_THAT(errors(with_api("      DefinitionUri: s3://bucket/api.yaml\n")),
              Contains(ProblemLike(6, "local files only")));
  EXPECT_THAT(errors(with_api("      DefinitionUri: {Bucket: b, Key: k}\n")),
              Contains(ProblemLike(6, "an S3 location (Bucket/Key)")));
  EXPECT_THAT(errors(with_api("      DefinitionUri: a.yaml\n      DefinitionBody: {paths: {}}\n")),
              Contains(ProblemLike(6, "not both")));
}

TEST_F(OpenApi, SamBuildOutputReachesBackIntoTheProject) {
  // sam build rewrites DefinitionUri to point from .aws-sam/build back at the project's file.
  write("api/spec.yaml", R"(
openapi: 3.0.1
paths:
  /built:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: arn:aws:lambda:us-east-1:123456789012:function:Fn
)");
  write("src/.keep", "");
  write(".aws-sam/build/template.yaml",
        with_api("      DefinitionUri: ../../api/spec.yaml\n", true));
  std::filesystem::create_directories(dir_ / ".aws-sam/build/src");
  const Template t = load_template(dir_ / ".aws-sam/build/template.yaml");
  EXPECT_EQ(route(doc(t), "GET /built").integration.function, "Fn");
  ASSERT_EQ(t.documents.size(), 1u);
  EXPECT_EQ(t.documents[0].filename(), "spec.yaml");
}

TEST_F(OpenApi, BadDocumentFileIsReportedWithItsLine) {
  write("bad.yaml", "openapi: 3.0.1\npaths:\n  /a:\n    get: [unclosed\n");
  EXPECT_THAT(errors(with_api("      DefinitionUri: bad.yaml\n")),
              Contains(ProblemLike(6, "DefinitionUri 'bad.yaml'")));
  write("badpaths.yaml", "openapi: 3.0.1\npaths: a string\n");
  EXPECT_THAT(errors(with_api("      DefinitionUri: badpaths.yaml\n")),
              Contains(ProblemLike(6, "badpaths.yaml:2: paths must be a map")));
}

TEST_F(OpenApi, TenThousandPathsLoad) {
  std::string paths;
  for (int i = 0; i < 10000; ++i) {
    paths += "  /p" + std::to_string(i) +
             "/{id}:\n    get:\n      x-amazon-apigateway-integration:\n"
             "        type: aws_proxy\n        uri: arn:aws:lambda:us-east-1:1:function:Fn\n";
  }
  write("big.yaml", "openapi: 3.0.1\npaths:\n" + paths);
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  const Template t = load(with_api("      DefinitionUri: big.yaml\n", true));
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const auto took =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  EXPECT_EQ(doc(t).routes.size(), 10000u);
  // A figure for the log, never an assertion (most of it is yaml-cpp parsing the file).
  std::printf(
      "[ figure ] a template with a 10,000-path OpenAPI document loaded in %.1f ms "
      "(%.1f ms of CPU)\n",
      took.count(), cpu_ms);
}

}  // namespace
}  // namespace lambdad::deploy
