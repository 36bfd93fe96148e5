// PutFunctionConcurrency's body and the concurrency operations' function names, as Lambda checks
// them.

#include "lambdad/control_api/concurrency_request.hpp"

#include <gtest/gtest.h>

#include "../error_of.hpp"

#include "lambdad/common/aws_error.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;

using lambdad::testing::error_of;

TEST(ReservedConcurrency, TakesANonNegativeInteger) {
  EXPECT_EQ(reserved_concurrency(json{{"ReservedConcurrentExecutions", 0}}), 0);
  EXPECT_EQ(reserved_concurrency(json{{"ReservedConcurrentExecutions", 25}}), 25);
}

TEST(ReservedConcurrency, HugeValuesAreTheLargestInt) {
  EXPECT_EQ(reserved_concurrency(json::parse(R"({"ReservedConcurrentExecutions": 99999999999})")),
            2147483647);
  EXPECT_EQ(reserved_concurrency(
                json::parse(R"({"ReservedConcurrentExecutions": 18446744073709551615})")),
            2147483647);
}

TEST(ReservedConcurrency, RefusesWhatLambdaRefuses) {
  const AwsError missing = error_of([] { reserved_concurrency(json::object()); });
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.type, "ValidationException");
  EXPECT_EQ(missing.message,
            "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to "
            "satisfy constraint: Member must not be null");
  EXPECT_EQ(error_of([] {
              reserved_concurrency(json{{"ReservedConcurrentExecutions", nullptr}});
            }).type,
            "ValidationException");
  const AwsError negative = error_of([] {
    reserved_concurrency(json{{"ReservedConcurrentExecutions", -1}});
  });
  EXPECT_EQ(negative.type, "ValidationException");
  EXPECT_EQ(negative.message,
            "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to "
            "satisfy constraint: Member must have value greater than or equal to 0");
  EXPECT_EQ(
      error_of([] {
        reserved_concurrency(json::parse(R"({"ReservedConcurrentExecutions": -99999999999})"));
      }).type,
      "ValidationException");
  for (const json& wrong : {json("5"), json(1.5), json(true), json::array({1}), json::object()}) {
    const AwsError e = error_of([&] {
      reserved_concurrency(json{{"ReservedConcurrentExecutions", wrong}});
    });
    EXPECT_EQ(e.type, "InvalidRequestContentException") << wrong;
  }
}

TEST(ConcurrencyFunctionName, NamesAndArnsWithoutAQualifier) {
  EXPECT_EQ(concurrency_function_name("fn"), "fn");
  EXPECT_EQ(concurrency_function_name("arn:aws:lambda:us-east-1:123456789012:function:fn"), "fn");
  EXPECT_EQ(concurrency_function_name("123456789012:function:fn"), "fn");
  const AwsError qualified = error_of([] { concurrency_function_name("fn:live"); });
  EXPECT_EQ(qualified.type, "InvalidParameterValueException");
  EXPECT_EQ(error_of([] {
              concurrency_function_name("arn:aws:lambda:us-east-1:123456789012:function:fn:1");
            }).type,
            "InvalidParameterValueException");
  EXPECT_EQ(error_of([] { concurrency_function_name(std::string(65, 'a')); }).type,
            "ValidationException");
  EXPECT_EQ(error_of([] { concurrency_function_name("bad name!"); }).type, "ValidationException");
}

}  // namespace
}  // namespace lambdad::control_api
