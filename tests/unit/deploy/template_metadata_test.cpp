// Metadata: lambdad: — lambdad's own per-function settings.
#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::HasSubstr;

class TemplateMetadataTest : public TemplateFixture {};

constexpr const char* kTemplate = R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
%s
    Properties:
      CodeUri: custom
      Runtime: provided.al2023
)";

std::string with_metadata(const std::string& lines) {
  std::string text = kTemplate;
  return text.replace(text.find("%s"), 2, lines);
}

TEST_F(TemplateMetadataTest, NetworkNoneAndHost) {
  EXPECT_EQ(load(with_metadata("      lambdad:\n        Network: none")).functions[0].network,
            std::optional<bool>(false));
  EXPECT_EQ(load(with_metadata("      lambdad:\n        Network: host")).functions[0].network,
            std::optional<bool>(true));
}

TEST_F(TemplateMetadataTest, OtherToolsMetadataIsLeftAlone) {
  const Template t = load(with_metadata("      BuildMethod: makefile"));
  EXPECT_FALSE(t.functions[0].network.has_value());
}

TEST_F(TemplateMetadataTest, BadSettingsAreReportedWithTheirLine) {
  auto problems = errors(with_metadata("      lambdad:\n        Network: off"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 7);
  EXPECT_THAT(problems[0].message, HasSubstr("Metadata.lambdad.Network must be host or none"));

  problems = errors(with_metadata("      lambdad:\n        Netwrok: none"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("unknown setting 'Netwrok'"));

  problems = errors(with_metadata("      lambdad: none"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("Metadata.lambdad must be a map"));
}

}  // namespace
}  // namespace lambdad::deploy::testing
