#include "lambdad/common/encoding.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace lambdad {
namespace {

TEST(Base64, RoundTripsEveryPaddingLength) {
  for (const std::string& text :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(text)), text);
  }
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_EQ(base64_decode("abc"), std::nullopt);
  EXPECT_EQ(base64_decode("a$cd"), std::nullopt);
}

TEST(UrlDecode, DecodesEscapesAndRejectsBadOnes) {
  EXPECT_EQ(url_decode("arn%3Aaws%3Alambda"), "arn:aws:lambda");
  EXPECT_EQ(url_decode("a+b", true), "a b");
  EXPECT_EQ(url_decode("a+b"), "a+b");
  EXPECT_EQ(url_decode("%zz"), std::nullopt);
  EXPECT_EQ(url_decode("%4"), std::nullopt);
}

}  // namespace
}  // namespace lambdad
