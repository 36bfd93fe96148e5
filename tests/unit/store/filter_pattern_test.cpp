#include "lambdad/store/filter_pattern.hpp"

#include <gtest/gtest.h>

#include "lambdad/common/aws_error.hpp"

namespace lambdad::store {
namespace {

struct Case {
  const char* pattern;
  const char* message;
  bool matches;
};

class FilterPatternMatch : public ::testing::TestWithParam<Case> {};

TEST_P(FilterPatternMatch, AsCloudWatch) {
  const Case& c = GetParam();
  EXPECT_EQ(FilterPattern::parse(c.pattern).matches(c.message), c.matches)
      << "pattern [" << c.pattern << "] message [" << c.message << "]";
}

INSTANTIATE_TEST_SUITE_P(
    Table, FilterPatternMatch,
    ::testing::Values(
        // empty and blank patterns match everything
        Case{"", "anything", true}, Case{"   ", "anything", true}, Case{"", "", true},
        // a term is a case-sensitive substring
        Case{"ERROR", "[ERROR] disk full", true}, Case{"ERROR", "ERRORS happened", true},
        Case{"ERROR", "error: lower case", false}, Case{"ERROR", "", false},
        // several terms: all of them (AND), in any order
        Case{"ERROR disk", "disk: ERROR", true}, Case{"ERROR disk", "ERROR memory", false},
        Case{"  ERROR \t disk  ", "ERROR disk", true},
        // quoted phrases keep their spaces and order
        Case{"\"INTERNAL SERVER ERROR\"", "500 INTERNAL SERVER ERROR", true},
        Case{"\"INTERNAL SERVER ERROR\"", "INTERNAL ERROR SERVER", false},
        Case{"\"a \\\"b\\\"\"", "say a \"b\" now", true}, Case{"\"\"", "anything", true},
        Case{"\"ERROR\" disk", "disk ERROR", true},
        // ?term: any of them (OR)
        Case{"?ERROR ?WARN", "WARN low memory", true}, Case{"?ERROR ?WARN", "ERROR", true},
        Case{"?ERROR ?WARN", "INFO fine", false}, Case{"?\"time out\" ?crash", "a time out", true},
        // -term: exclusion
        Case{"ERROR -ARGUMENTS", "ERROR in ARGUMENTS", false},
        Case{"ERROR -ARGUMENTS", "ERROR in body", true}, Case{"-DEBUG", "INFO x", true},
        Case{"-DEBUG", "DEBUG x", false}, Case{"-\"health check\"", "GET /health check", false},
        // mixed: every plain term, no excluded one, and one of the alternatives
        Case{"GET ?200 ?204 -health", "GET /a 204", true},
        Case{"GET ?200 ?204 -health", "GET /health 200", false},
        Case{"GET ?200 ?204 -health", "GET /a 500", false},
        // platform lines
        Case{"REPORT", "REPORT RequestId: r\tDuration: 1.00 ms\t", true},
        Case{"\"Task timed out\"", "2024-01-01T00:00:00.000Z r Task timed out after 3.00 seconds",
             true}));

class FilterPatternRejects : public ::testing::TestWithParam<const char*> {};

TEST_P(FilterPatternRejects, WithInvalidParameterException) {
  try {
    FilterPattern::parse(GetParam());
    FAIL() << "accepted [" << GetParam() << "]";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.type, "InvalidParameterException");
    EXPECT_FALSE(e.message.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Table, FilterPatternRejects,
                         ::testing::Values("{ $.level = \"ERROR\" }", "{$.x=1}",
                                           "[ip, user, status = 404]", "%err(or)?%",
                                           "\"unterminated", "ERROR \"half", "?", "ERROR -",
                                           "? ERROR"));

TEST(FilterPattern, MatchesEverythingOnlyWhenEmpty) {
  EXPECT_TRUE(FilterPattern::parse("").matches_everything());
  EXPECT_TRUE(FilterPattern::parse(" \t ").matches_everything());
  EXPECT_FALSE(FilterPattern::parse("x").matches_everything());
  EXPECT_FALSE(FilterPattern::parse("-x").matches_everything());
}

TEST(FilterPattern, RejectionMessageNamesTheUnsupportedForm) {
  try {
    FilterPattern::parse("{ $.level = \"ERROR\" }");
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_NE(e.message.find("JSON"), std::string::npos) << e.message;
  }
}

}  // namespace
}  // namespace lambdad::store
