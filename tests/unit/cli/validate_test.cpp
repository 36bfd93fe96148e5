// `lambdad validate`: output format and exit codes.
#include <string_view>
#include <vector>

#include "lambdad/cli/commands.hpp"
#include "unit/deploy/template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class TemplateValidateCliTest : public TemplateFixture {
 protected:
  struct Result {
    int code;
    std::string out;
    std::string err;
  };

  Result run(std::vector<std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    const int code = cli::validate(cli::Args(views.data(), views.size()));
    std::string out = ::testing::internal::GetCapturedStdout();
    std::string err = ::testing::internal::GetCapturedStderr();
    return {code, out, err};
  }

  static constexpr const char* kValid = R"(
Parameters:
  Stage: {Type: String}
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub hello-${Stage}
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Tracing: Active
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: custom
      Runtime: provided.al2023
Transform: AWS::Serverless-2016-10-31
)";
};

TEST_F(TemplateValidateCliTest, ValidTemplateListsFunctionsAndWarnings) {
  const std::string file = write_template(kValid).string();
  const Result r = run({dir_.string(), "--parameter-overrides", "Stage=dev"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, file +
                       ": valid SAM template (2 functions)\n"
                       "  hello-dev: python3.12, handler app.handler, code src\n"
                       "  Custom: provided.al2023, handler (bootstrap), code custom\n");
  // A further line warns when this machine's python3 is not 3.12 (it still runs the function).
  EXPECT_THAT(r.err,
              StartsWith(file + ":11: warning: function 'Hello': Tracing: X-Ray tracing is not "
                                "provided by lambdad\n"));
  EXPECT_THAT(r.err, Not(HasSubstr("error")));
}

TEST_F(TemplateValidateCliTest, OverrideForms) {
  write_template(kValid);
  EXPECT_EQ(run({dir_.string(), "--parameter-overrides=Stage=a"}).code, 0);
  EXPECT_THAT(
      run({"--parameter-overrides", "ParameterKey=Stage,ParameterValue=b", dir_.string()}).out,
      HasSubstr("hello-b:"));
  EXPECT_THAT(run({dir_.string(), "--parameter-overrides", "Stage=c Other=d"}).err,
              HasSubstr("parameter override 'Other' does not match"));
}

TEST_F(TemplateValidateCliTest, ProblemsGoToStderrWithLinesAndExit1) {
  const std::string file = write_template(kValid).string();
  const Result r = run({file});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  // The warnings come too, before the errors.
  EXPECT_EQ(r.err, file +
                       ":11: warning: function 'Hello': Tracing: X-Ray tracing is not provided "
                       "by lambdad\n" +
                       file +
                       ":7: error: function 'Hello': FunctionName uses parameter 'Stage', which "
                       "has no Default and no value: give it one with --parameter-overrides "
                       "Stage=VALUE\n");
}

TEST_F(TemplateValidateCliTest, MissingTemplateExits1) {
  const Result r = run({(dir_ / "src").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: no template.yaml or template.yml in folder"));
}

TEST_F(TemplateValidateCliTest, UsageErrorsExit2AndHelpExits0) {
  EXPECT_EQ(run({"--frobnicate"}).code, 2);
  EXPECT_EQ(run({"a", "b"}).code, 2);
  EXPECT_EQ(run({dir_.string(), "--parameter-overrides"}).code, 2);
  const Result help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: lambdad validate [TEMPLATE]"));
}

}  // namespace
}  // namespace lambdad::deploy::testing
