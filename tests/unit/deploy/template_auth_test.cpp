// `Auth` of APIs and their events, checked as SAM checks it: Lambda authorizers' values, the
// names events use, what lambdad does not enforce (warnings), and the normalised properties the
// gateway reads (FunctionArn as an ARN, numbers and booleans typed).
#include "template_fixture.hpp"

#include "lambdad/common/ids.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using json = nlohmann::json;

class TemplateAuthTest : public TemplateFixture {
 protected:
  /// A template: `apis` (indented by 2, under Resources), then two functions: AuthFn, and Fn
  /// whose Events block is `events` (indented by 8). Line 1 is `Resources:`.
  static std::string with(const std::string& apis, const std::string& events = "") {
    return "Resources:\n" + apis + R"(  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Events:
)" + (events.empty() ? "        E: {Type: Api, Properties: {Path: /x, Method: get}}\n" : events) +
           "Transform: AWS::Serverless-2016-10-31\n";
  }

  static const ApiConfig& api(const Template& t, const std::string& logical_id) {
    for (const auto& a : t.apis) {
      if (a.logical_id == logical_id) return a;
    }
    throw std::runtime_error("no api " + logical_id);
  }

  static const api::LambdaAuthorizer& authorizer(const ApiConfig& api, const std::string& name) {
    for (const auto& a : api.settings.auth.lambda_authorizers) {
      if (a.name == name) return a;
    }
    throw std::runtime_error("no authorizer " + name);
  }
};

TEST_F(TemplateAuthTest, FunctionArnBecomesTheFunctionsArn) {
  const Template t = load(with(R"(  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: A
        Authorizers:
          A: {FunctionArn: !GetAtt AuthFn.Arn}
          B: {FunctionArn: !Sub '${AuthFn.Arn}'}
          C: {FunctionArn: !Ref AuthFn}
          D: {FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:AuthFn:live'}
          E:
            FunctionArn: !GetAtt AuthFn.Arn
            FunctionPayloadType: REQUEST
            Identity: {Headers: [X-A], ReauthorizeEvery: '60'}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          H:
            FunctionArn: !GetAtt AuthFn.Arn
            AuthorizerPayloadFormatVersion: 2.0
            EnableSimpleResponses: 'true'
)"));
  EXPECT_THAT(t.warnings, IsEmpty());
  // Every form names the function; an ARN's qualifier is kept.
  const ApiConfig& shop = api(t, "Shop");
  using Format = api::LambdaAuthorizer::Format;
  EXPECT_EQ(authorizer(shop, "A").function, "AuthFn");
  EXPECT_EQ(authorizer(shop, "B").function, "AuthFn");
  EXPECT_EQ(authorizer(shop, "C").function, "AuthFn");
  EXPECT_EQ(authorizer(shop, "D").function, "AuthFn:live");
  EXPECT_EQ(authorizer(shop, "A").format, Format::kToken);
  EXPECT_EQ(authorizer(shop, "A").ttl, std::chrono::seconds(300));
  const api::LambdaAuthorizer& e = authorizer(shop, "E");
  EXPECT_EQ(e.format, Format::kRequest);
  EXPECT_EQ(e.ttl, std::chrono::seconds(60));
  EXPECT_EQ(e.identity,
            (std::vector<api::IdentitySource>{{api::IdentitySource::Kind::kHeader, "X-A"}}));
  EXPECT_EQ(shop.settings.auth.default_authorizer, "A");
  const api::LambdaAuthorizer& h = authorizer(api(t, "Http"), "H");
  EXPECT_EQ(h.format, Format::kHttp2);
  EXPECT_TRUE(h.simple_responses);
}

TEST_F(TemplateAuthTest, LambdaAuthorizerValues) {
  EXPECT_THAT(
      errors(with(R"(  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: Missing
        AddDefaultAuthorizerToCorsPreflight: maybe
        Authorizers:
          A: {FunctionArn: !GetAtt Shop.Arn}
          B: {FunctionArn: !GetAtt AuthFn.Arn, FunctionPayloadType: COOKIE}
          C: {FunctionArn: !GetAtt AuthFn.Arn, FunctionPayloadType: REQUEST}
          D: {FunctionArn: !GetAtt AuthFn.Arn, Identity: {ReauthorizeEvery: 3601}}
          E: {FunctionArn: !GetAtt AuthFn.Arn, Identity: {ValidationExpression: '(unclosed'}}
          F:
            FunctionArn: !GetAtt AuthFn.Arn
            FunctionPayloadType: REQUEST
            Identity: {Headers: X-A}
          G: [not, a, map]
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          H: {FunctionArn: !GetAtt AuthFn.Arn}
          I: {FunctionArn: !GetAtt AuthFn.Arn, AuthorizerPayloadFormatVersion: 3.0}
          J:
            FunctionArn: !GetAtt AuthFn.Arn
            AuthorizerPayloadFormatVersion: '1.0'
            EnableSimpleResponses: true
)")),
      ElementsAre(Problem(7,
                          "api 'Shop': Unable to set DefaultAuthorizer because 'Missing' was "
                          "not defined in 'Authorizers'."),
                  Problem(8,
                          "api 'Shop': Auth.AddDefaultAuthorizerToCorsPreflight must be true "
                          "or false"),
                  ProblemLike(10, "api 'Shop': Auth.Authorizers.A.FunctionArn must be !GetAtt"),
                  Problem(11,
                          "api 'Shop': Auth.Authorizers.B.FunctionPayloadType must be TOKEN "
                          "or REQUEST"),
                  Problem(12,
                          "api 'Shop': C Authorizer must specify Identity with at least one "
                          "of Headers, QueryStrings, StageVariables, or Context."),
                  Problem(13,
                          "api 'Shop': Auth.Authorizers.D.Identity.ReauthorizeEvery must be "
                          "a whole number of seconds from 0 to 3600"),
                  Problem(14,
                          "api 'Shop': Auth.Authorizers.E.Identity.ValidationExpression "
                          "'(unclosed' is not a valid regular expression"),
                  Problem(15,
                          "api 'Shop': F Authorizer must specify Identity with at least one "
                          "of Headers, QueryStrings, StageVariables, or Context."),
                  Problem(18,
                          "api 'Shop': Auth.Authorizers.F.Identity.Headers must be a list "
                          "of names"),
                  Problem(19, "api 'Shop': Auth.Authorizers.G must be a map"),
                  Problem(25,
                          "api 'Http': Auth.Authorizers.H must define "
                          "AuthorizerPayloadFormatVersion (\"1.0\" or \"2.0\")"),
                  Problem(26,
                          "api 'Http': Auth.Authorizers.I.AuthorizerPayloadFormatVersion "
                          "must be \"1.0\" or \"2.0\""),
                  Problem(30,
                          "api 'Http': Auth.Authorizers.J.EnableSimpleResponses needs "
                          "AuthorizerPayloadFormatVersion \"2.0\"")));
}

TEST_F(TemplateAuthTest, RequestAuthorizerWithoutCachingNeedsNoIdentity) {
  const Template t = load(with(R"(  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        Authorizers:
          R:
            FunctionArn: !GetAtt AuthFn.Arn
            FunctionPayloadType: REQUEST
            Identity: {ReauthorizeEvery: 0}
)"));
  EXPECT_THAT(t.warnings, IsEmpty());
}

TEST_F(TemplateAuthTest, EventAuthorizersMustExistAsSamRequires) {
  EXPECT_THAT(
      errors(with(
          R"(  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        Authorizers:
          Tok: {FunctionArn: !GetAtt AuthFn.Arn}
  Bare:
    Type: AWS::Serverless::Api
    Properties: {StageName: dev}
)",
          R"(        A: {Type: Api, Properties: {Path: /a, Method: GET, RestApiId: !Ref Shop, Auth: {Authorizer: Nope}}}
        B: {Type: Api, Properties: {Path: /b, Method: get, RestApiId: !Ref Bare, Auth: {Authorizer: Tok}}}
        C: {Type: Api, Properties: {Path: /c, Method: get, RestApiId: !Ref Shop, Auth: {Authorizer: NONE}}}
        D: {Type: Api, Properties: {Path: /d, Method: get, RestApiId: !Ref Shop, Auth: {Authorizer: Tok}}}
        E: {Type: Api, Properties: {Path: /e, Method: get, RestApiId: !Ref Shop, Auth: {Authorizer: AWS_IAM}}}
        F: {Type: Api, Properties: {Path: /f, Method: get, Auth: {Authorizer: [Tok]}}}
        G: {Type: HttpApi, Properties: {Path: /g, Method: get, Auth: {Authorizer: Tok}}}
        H: {Type: Api, Properties: {Path: /h, Method: get, Auth: yes}}
)")),
      ElementsAre(Problem(22,
                          "function 'Fn': event 'A': Unable to set Authorizer [Nope] on API "
                          "method [get] for path [/a] because it wasn't defined in the "
                          "API's Authorizers."),
                  Problem(23,
                          "function 'Fn': event 'B': Unable to set Authorizer [Tok] on API "
                          "method [get] for path [/b] because the related API does not "
                          "define any Authorizers."),
                  Problem(24,
                          "function 'Fn': event 'C': Unable to set Authorizer on API method "
                          "[get] for path [/c] because 'NONE' is only a valid value when a "
                          "DefaultAuthorizer on the API is specified."),
                  Problem(27,
                          "function 'Fn': event 'F': Auth.Authorizer must be the name of an "
                          "authorizer of the API, NONE or AWS_IAM"),
                  Problem(28,
                          "function 'Fn': event 'G': Unable to set Authorizer [Tok] on API "
                          "method [get] for path [/g] because the related API does not "
                          "define any Authorizers."),
                  Problem(29, "function 'Fn': event 'H': Auth must be a map")));
}

TEST_F(TemplateAuthTest, WhatLambdadDoesNotEnforceIsAWarning) {
  const Template t = load(with(R"(  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: AWS_IAM
        Authorizers:
          Pool: {UserPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/x'}
          Tok:
            FunctionArn: !GetAtt AuthFn.Arn
            FunctionInvokeRole: arn:aws:iam::123456789012:role/x
            Colour: blue
            Identity: {Header: X-Token, Headers: [X-Other]}
          Far: {FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere'}
)",
                               "        E: {Type: Api, Properties: {Path: /x, Method: get, "
                               "RestApiId: !Ref Shop, Auth: {Authorizer: AWS_IAM}}}\n"));
  EXPECT_THAT(
      t.warning_lines,
      ElementsAre(WarningLike(2,
                              "api 'Shop': authorizer 'Far': function 'elsewhere' is not in "
                              "this template; the routes it guards answer 500"),
                  WarningLike(7, "api 'Shop': AWS_IAM authorization is not enforced by lambdad"),
                  WarningLike(9,
                              "api 'Shop': Auth.Authorizers.Pool: lambdad enforces Lambda "
                              "authorizers only; the routes this Cognito authorizer guards "
                              "are open"),
                  WarningLike(13, "api 'Shop': Auth.Authorizers.Tok.Colour is not used by lambdad"),
                  WarningLike(14,
                              "api 'Shop': Auth.Authorizers.Tok.Identity.Headers is not used "
                              "by a TOKEN authorizer"),
                  WarningLike(26,
                              "function 'Fn': event 'E': AWS_IAM authorization is not "
                              "enforced by lambdad")));
}

TEST_F(TemplateAuthTest, GlobalsAuthReachesTheImplicitApi) {
  const Template t = load(R"(Globals:
  HttpApi:
    Auth:
      DefaultAuthorizer: Simple
      Authorizers:
        Simple:
          FunctionArn: !GetAtt AuthFn.Arn
          AuthorizerPayloadFormatVersion: 2.0
)" + with("", "        E: {Type: HttpApi, Properties: {Path: /x, Method: get}}\n"));
  EXPECT_THAT(t.warnings, IsEmpty());
  const api::LambdaAuthorizer& simple = authorizer(api(t, "ServerlessHttpApi"), "Simple");
  EXPECT_EQ(simple.function, "AuthFn");
  EXPECT_EQ(simple.format, api::LambdaAuthorizer::Format::kHttp2);
}

}  // namespace
}  // namespace lambdad::deploy::testing
