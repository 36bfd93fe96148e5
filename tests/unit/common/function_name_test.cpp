#include "lambdad/common/function_name.hpp"

#include <gtest/gtest.h>

#include "lambdad/common/aws_error.hpp"

namespace lambdad {
namespace {

struct Case {
  const char* text;
  const char* name;
  const char* qualifier;
};

class FunctionNameTest : public ::testing::TestWithParam<Case> {};

TEST_P(FunctionNameTest, Parses) {
  const Case& c = GetParam();
  FunctionName parsed = parse_function_name(c.text);
  EXPECT_EQ(parsed.name, c.name);
  EXPECT_EQ(parsed.qualifier, c.qualifier);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, FunctionNameTest,
    ::testing::Values(Case{"hello", "hello", ""}, Case{"my-func_1", "my-func_1", ""},
                      Case{"hello:live", "hello", "live"},
                      Case{"hello:$LATEST", "hello", "$LATEST"}, Case{"hello:7", "hello", "7"},
                      Case{"arn:aws:lambda:us-east-1:123456789012:function:hello", "hello", ""},
                      Case{"arn:aws:lambda:eu-west-2:123456789012:function:hello:prod", "hello",
                           "prod"},
                      Case{"123456789012:function:hello", "hello", ""},
                      Case{"123456789012:function:hello:3", "hello", "3"}));

TEST(FunctionName, RejectsWhatAwsRejectsWithValidationException) {
  for (const char* bad : {"", "has space", "a/b", "arn:aws:s3:::bucket", "x:y:z:w"}) {
    try {
      parse_function_name(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const AwsError& e) {
      EXPECT_EQ(e.status, 400) << bad;
      EXPECT_EQ(e.type, "ValidationException") << bad;
    }
  }
}

TEST(FunctionName, NamesOverSixtyFourCharactersAreRejected) {
  EXPECT_NO_THROW(parse_function_name(std::string(64, 'a')));
  EXPECT_THROW(parse_function_name(std::string(65, 'a')), AwsError);
}

}  // namespace
}  // namespace lambdad
