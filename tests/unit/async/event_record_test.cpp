// The async queue's stored attributes, AWS's destination record and where a destination ARN
// sends it.

#include "lambdad/async/event_record.hpp"

#include <gtest/gtest.h>

#include "lambdad/async/async_invoker.hpp"

namespace lambdad::async {
namespace {

using json = nlohmann::json;

TEST(EventRecord, AttributesRoundTrip) {
  EventAttributes a{.function = "F",
                    .qualifier = "live",
                    .client_context = "{\"custom\":{}}",
                    .function_errors = 2,
                    .throttle_ms = 4000,
                    .last_error = "Unhandled",
                    .last_response = LastResponse{200, "3", "Unhandled", "{\"errorMessage\":1}"}};
  const EventAttributes b = parse_attributes(to_text(a));
  EXPECT_EQ(b.function, "F");
  EXPECT_EQ(b.qualifier, "live");
  EXPECT_EQ(b.client_context, a.client_context);
  EXPECT_EQ(b.function_errors, 2);
  EXPECT_EQ(b.throttle_ms, 4000);
  EXPECT_EQ(b.last_error, "Unhandled");
  ASSERT_TRUE(b.last_response);
  EXPECT_EQ(b.last_response->executed_version, "3");
  EXPECT_EQ(b.last_response->payload, "{\"errorMessage\":1}");
  EXPECT_FALSE(parse_attributes(to_text({.function = "G"})).last_response);
}

TEST(EventRecord, RecordHasAwsShape) {
  const LastResponse response{200, "$LATEST", "Unhandled", "{\"errorType\":\"Oops\"}"};
  const json record =
      destination_record("rid", "arn:aws:lambda:us-east-1:123456789012:function:F:$LATEST",
                         "RetriesExhausted", 3, 1573755365568, "{\"a\":1}", &response);
  EXPECT_EQ(record, json::parse(R"({
    "version": "1.0",
    "timestamp": "2019-11-14T18:16:05.568Z",
    "requestContext": {"requestId": "rid",
                       "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:F:$LATEST",
                       "condition": "RetriesExhausted", "approximateInvokeCount": 3},
    "requestPayload": {"a": 1},
    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                        "functionError": "Unhandled"},
    "responsePayload": {"errorType": "Oops"}})"));
  // No invocation answered (too old, or disabled): no response parts.
  const json bare = destination_record("rid", "arn", "EventAgeExceeded", 0, 0, "\"text\"", nullptr);
  EXPECT_FALSE(bare.contains("responseContext"));
  EXPECT_FALSE(bare.contains("responsePayload"));
  EXPECT_EQ(bare["requestPayload"], "text");
}

TEST(EventRecord, FunctionDestinationsBecomeEventInvokes) {
  std::string why;
  auto message =
      destination_message("arn:aws:lambda:us-east-1:123456789012:function:Catch:live", "{}", &why);
  ASSERT_TRUE(message) << why;
  EXPECT_EQ(message->queue, kQueue);
  EXPECT_EQ(message->body, "{}");
  EXPECT_FALSE(message->id.empty());
  const EventAttributes a = parse_attributes(message->attributes);
  EXPECT_EQ(a.function, "Catch");
  EXPECT_EQ(a.qualifier, "live");
}

TEST(EventRecord, OtherDestinationsAreNamedInTheReason) {
  std::string why;
  EXPECT_FALSE(destination_message("arn:aws:sqs:us-east-1:123456789012:dlq", "{}", &why));
  EXPECT_NE(why.find("sqs destinations"), std::string::npos) << why;
  EXPECT_FALSE(destination_message("not-an-arn", "{}", &why));
  EXPECT_NE(why.find("not an ARN"), std::string::npos) << why;
  EXPECT_FALSE(destination_message("arn:aws:lambda:us-east-1:123456789012:layer:x", "{}", &why));
}

}  // namespace
}  // namespace lambdad::async
