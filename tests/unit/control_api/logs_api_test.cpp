#include "lambdad/control_api/logs_api.hpp"

#include <gtest/gtest.h>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "unit/store/temp_dir.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;

constexpr const char* kA = "2024/01/01/[$LATEST]aaaa";
constexpr const char* kB = "2024/01/01/[$LATEST]bbbb";

class LogsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::Store::open(file);
    // hello: 6 events over two streams, committed out of timestamp order
    store->append({"hello", "$LATEST", kA, "r1", 1000, "START RequestId: r1 Version: $LATEST"});
    store->append({"hello", "$LATEST", kB, "r2", 1500, "START RequestId: r2 Version: $LATEST"});
    store->append({"hello", "$LATEST", kA, "r1", 1001, "ERROR boom"});
    store->append({"hello", "$LATEST", kB, "r2", 1400, "early line"});
    store->append({"hello", "$LATEST", kA, "r1", 1002, "END RequestId: r1"});
    store->append({"hello", "$LATEST", kB, "r2", 2000, "ERROR late"});
    store->append({"world", "1", "2024/01/02/[1]cccc", "r3", 5000, "bad \xff\xfe utf8"});
    reader = store::LogReader::open(file);
  }

  json call(std::string_view op, json request) { return handle_logs_call(op, request, *reader); }

  /// The AwsError a call throws (fails the test if it does not).
  AwsError error_of(std::string_view op, json request) {
    try {
      call(op, std::move(request));
    } catch (const AwsError& e) {
      return e;
    }
    ADD_FAILURE() << op << " did not throw";
    return AwsError(0, "", "");
  }

  std::vector<std::string> messages(const json& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.at("message"));
    return out;
  }

  testing::TempDir dir;
  std::filesystem::path file = dir / "lambdad.db";
  std::unique_ptr<store::LogReader> reader;
};

TEST_F(LogsApiTest, FilterLogEventsReturnsAwsShapedEventsInTimeOrder) {
  const json r =
      call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}, {"interleaved", true}});
  ASSERT_EQ(r.at("events").size(), 6u);
  EXPECT_EQ(r.at("searchedLogStreams"), json::array());
  EXPECT_FALSE(r.contains("nextToken"));
  const json& first = r["events"][0];
  EXPECT_EQ(first.size(), 5u) << first.dump();
  EXPECT_EQ(first.at("logStreamName"), kA);
  EXPECT_EQ(first.at("timestamp"), 1000);
  EXPECT_EQ(first.at("message"), "START RequestId: r1 Version: $LATEST");
  EXPECT_TRUE(first.at("ingestionTime").is_number_integer());
  EXPECT_TRUE(first.at("eventId").is_string());
  EXPECT_EQ(messages(r["events"]),
            (std::vector<std::string>{"START RequestId: r1 Version: $LATEST", "ERROR boom",
                                      "END RequestId: r1", "early line",
                                      "START RequestId: r2 Version: $LATEST", "ERROR late"}));
}

TEST_F(LogsApiTest, FilterLogEventsPagesWithNextToken) {
  std::vector<std::string> all, ids;
  json request = {{"logGroupName", "/aws/lambda/hello"}, {"limit", 4}};
  int pages = 0;
  for (;; ++pages) {
    const json r = call("FilterLogEvents", request);
    EXPECT_LE(r["events"].size(), 4u);
    for (const auto& e : r["events"]) {
      all.push_back(e["message"]);
      ids.push_back(e["eventId"]);
    }
    if (!r.contains("nextToken")) break;
    request["nextToken"] = r["nextToken"];
    ASSERT_LT(pages, 5);
  }
  EXPECT_EQ(pages, 1);
  EXPECT_EQ(all,
            messages(call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}})["events"]));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
  // A limit that ends exactly at the last event gives no token.
  EXPECT_FALSE(call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}, {"limit", 6}})
                   .contains("nextToken"));
}

TEST_F(LogsApiTest, FilterLogEventsNarrowsByTimePatternAndStreams) {
  const std::string group = "/aws/lambda/hello";
  EXPECT_EQ(
      messages(call("FilterLogEvents",
                    {{"logGroupName", group}, {"startTime", 1001}, {"endTime", 1500}})["events"]),
      (std::vector<std::string>{"ERROR boom", "END RequestId: r1", "early line",
                                "START RequestId: r2 Version: $LATEST"}));
  EXPECT_EQ(messages(call("FilterLogEvents",
                          {{"logGroupName", group}, {"filterPattern", "ERROR -late"}})["events"]),
            std::vector<std::string>{"ERROR boom"});
  EXPECT_EQ(messages(call("FilterLogEvents",
                          {{"logGroupName", group}, {"logStreamNames", {kB}}})["events"]),
            (std::vector<std::string>{"early line", "START RequestId: r2 Version: $LATEST",
                                      "ERROR late"}));
  EXPECT_EQ(call("FilterLogEvents", {{"logGroupName", group},
                                     {"logStreamNamePrefix", "2024/01/01/[$LATEST]a"}})["events"]
                .size(),
            3u);
}

TEST_F(LogsApiTest, LogGroupMayBeGivenByIdentifierOrArn) {
  const std::string arn =
      "arn:aws:logs:" + region() + ":" + kAccountId + ":log-group:/aws/lambda/world";
  EXPECT_EQ(call("FilterLogEvents", {{"logGroupIdentifier", arn}})["events"].size(), 1u);
  EXPECT_EQ(call("FilterLogEvents", {{"logGroupIdentifier", arn + ":*"}})["events"].size(), 1u);
  EXPECT_EQ(call("FilterLogEvents", {{"logGroupIdentifier", "/aws/lambda/world"}})["events"].size(),
            1u);
  EXPECT_EQ(error_of("FilterLogEvents",
                     {{"logGroupIdentifier", arn}, {"logGroupName", "/aws/lambda/world"}})
                .type,
            "InvalidParameterException");
  EXPECT_EQ(error_of("FilterLogEvents", json::object()).type, "InvalidParameterException");
}

TEST_F(LogsApiTest, UnknownLogGroupsAreResourceNotFound) {
  for (const char* group : {"/aws/lambda/nope", "/aws/lambda/", "hello", "/aws/lambda/hello/x"}) {
    for (const char* op : {"FilterLogEvents", "GetLogEvents", "DescribeLogStreams"}) {
      const AwsError e = error_of(op, {{"logGroupName", group}, {"logStreamName", kA}});
      EXPECT_EQ(e.status, 400);
      EXPECT_EQ(e.type, "ResourceNotFoundException") << op << " " << group;
      EXPECT_EQ(e.message, "The specified log group does not exist.");
    }
  }
}

TEST_F(LogsApiTest, BadFieldsAreInvalidParameterException) {
  const std::string g = "/aws/lambda/hello";
  const std::vector<json> bad = {
      {{"logGroupName", g}, {"limit", 0}},
      {{"logGroupName", g}, {"limit", 10001}},
      {{"logGroupName", g}, {"limit", "5"}},
      {{"logGroupName", g}, {"startTime", -1}},
      {{"logGroupName", g}, {"startTime", "yesterday"}},
      {{"logGroupName", 7}},
      {{"logGroupName", g}, {"logStreamNames", json::array()}},
      {{"logGroupName", g}, {"logStreamNames", {kA}}, {"logStreamNamePrefix", "2024"}},
      {{"logGroupName", g}, {"nextToken", "garbage"}},
      {{"logGroupName", g}, {"nextToken", "n/1/x"}},
      {{"logGroupName", g}, {"filterPattern", "{ $.level = \"ERROR\" }"}},
      {{"logGroupName", g}, {"interleaved", "yes"}},
  };
  for (const json& request : bad) {
    const AwsError e = error_of("FilterLogEvents", request);
    EXPECT_EQ(e.status, 400) << request.dump();
    EXPECT_EQ(e.type, "InvalidParameterException") << request.dump();
  }
  EXPECT_EQ(error_of("FilterLogEvents", {{"logGroupName", g}, {"limit", 0}}).message,
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");
  EXPECT_EQ(error_of("FilterLogEvents", json::array()).type, "InvalidParameterException");
}

TEST_F(LogsApiTest, UnknownOperation) {
  const AwsError e = error_of("PutLogEvents", json::object());
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.type, "UnknownOperationException");
  EXPECT_NE(e.message.find("PutLogEvents"), std::string::npos);
}

TEST_F(LogsApiTest, DescribeLogGroupsListsFunctionsThatLogged) {
  const json r = call("DescribeLogGroups", json::object());
  ASSERT_EQ(r.at("logGroups").size(), 2u);
  const json& g = r["logGroups"][0];
  EXPECT_EQ(g.at("logGroupName"), "/aws/lambda/hello");
  EXPECT_EQ(g.at("arn"),
            "arn:aws:logs:" + region() + ":" + kAccountId + ":log-group:/aws/lambda/hello:*");
  EXPECT_EQ(g.at("logGroupArn"),
            "arn:aws:logs:" + region() + ":" + kAccountId + ":log-group:/aws/lambda/hello");
  EXPECT_GT(g.at("creationTime").get<int64_t>(), 0);
  EXPECT_EQ(g.at("storedBytes"), 36 + 36 + 10 + 10 + 17 + 10);
  EXPECT_EQ(r["logGroups"][1]["logGroupName"], "/aws/lambda/world");
  EXPECT_FALSE(r.contains("nextToken"));

  EXPECT_EQ(
      call("DescribeLogGroups", {{"logGroupNamePrefix", "/aws/lambda/w"}})["logGroups"].size(), 1u);
  EXPECT_TRUE(call("DescribeLogGroups", {{"logGroupNamePrefix", "/ecs"}})["logGroups"].empty());
  const json page1 = call("DescribeLogGroups", {{"limit", 1}});
  ASSERT_EQ(page1["logGroups"].size(), 1u);
  ASSERT_TRUE(page1.contains("nextToken"));
  const json page2 = call("DescribeLogGroups", {{"limit", 1}, {"nextToken", page1["nextToken"]}});
  ASSERT_EQ(page2["logGroups"].size(), 1u);
  EXPECT_EQ(page2["logGroups"][0]["logGroupName"], "/aws/lambda/world");
  EXPECT_FALSE(page2.contains("nextToken"));
  EXPECT_EQ(error_of("DescribeLogGroups", {{"limit", 51}}).type, "InvalidParameterException");
}

TEST_F(LogsApiTest, DescribeLogStreamsOrdersAndPages) {
  const std::string g = "/aws/lambda/hello";
  const json r = call("DescribeLogStreams", {{"logGroupName", g}});
  ASSERT_EQ(r.at("logStreams").size(), 2u);
  const json& s = r["logStreams"][0];
  EXPECT_EQ(s.at("logStreamName"), kA);
  EXPECT_EQ(s.at("firstEventTimestamp"), 1000);
  EXPECT_EQ(s.at("lastEventTimestamp"), 1002);
  EXPECT_TRUE(s.at("creationTime").is_number_integer());
  EXPECT_TRUE(s.at("lastIngestionTime").is_number_integer());
  EXPECT_EQ(s.at("arn"), "arn:aws:logs:" + region() + ":" + kAccountId +
                             ":log-group:/aws/lambda/hello:log-stream:" + kA);

  const json newest =
      call("DescribeLogStreams",
           {{"logGroupName", g}, {"orderBy", "LastEventTime"}, {"descending", true}, {"limit", 1}});
  ASSERT_EQ(newest["logStreams"].size(), 1u);
  EXPECT_EQ(newest["logStreams"][0]["logStreamName"], kB);
  ASSERT_TRUE(newest.contains("nextToken"));
  const json rest = call("DescribeLogStreams", {{"logGroupName", g},
                                                {"orderBy", "LastEventTime"},
                                                {"descending", true},
                                                {"nextToken", newest["nextToken"]}});
  ASSERT_EQ(rest["logStreams"].size(), 1u);
  EXPECT_EQ(rest["logStreams"][0]["logStreamName"], kA);
  EXPECT_FALSE(rest.contains("nextToken"));

  EXPECT_EQ(
      call("DescribeLogStreams",
           {{"logGroupName", g}, {"logStreamNamePrefix", "2024/01/01/[$LATEST]b"}})["logStreams"]
          .size(),
      1u);
  EXPECT_EQ(error_of("DescribeLogStreams", {{"logGroupName", g}, {"orderBy", "Size"}}).type,
            "InvalidParameterException");
  EXPECT_EQ(
      error_of("DescribeLogStreams",
               {{"logGroupName", g}, {"orderBy", "LastEventTime"}, {"logStreamNamePrefix", "2"}})
          .message,
      "Cannot order by LastEventTime with a logStreamNamePrefix.");
}

TEST_F(LogsApiTest, GetLogEventsReadsOneStreamFromTheTailOrTheHead) {
  const json base = {{"logGroupName", "/aws/lambda/hello"}, {"logStreamName", kB}};
  const json tail = call("GetLogEvents", base);
  EXPECT_EQ(messages(tail.at("events")),
            (std::vector<std::string>{"early line", "START RequestId: r2 Version: $LATEST",
                                      "ERROR late"}));
  EXPECT_EQ(tail["events"][0].size(), 3u) << tail["events"][0].dump();
  EXPECT_TRUE(tail.at("nextForwardToken").get<std::string>().starts_with("f/"));
  EXPECT_TRUE(tail.at("nextBackwardToken").get<std::string>().starts_with("b/"));

  json last_two = base;
  last_two["limit"] = 2;
  const json newest = call("GetLogEvents", last_two);
  EXPECT_EQ(messages(newest["events"]),
            (std::vector<std::string>{"START RequestId: r2 Version: $LATEST", "ERROR late"}));
  json back = base;
  back["nextToken"] = newest["nextBackwardToken"];
  EXPECT_EQ(messages(call("GetLogEvents", back)["events"]), std::vector<std::string>{"early line"});

  json head = base;
  head["startFromHead"] = true;
  head["limit"] = 2;
  const json first = call("GetLogEvents", head);
  EXPECT_EQ(messages(first["events"]),
            (std::vector<std::string>{"early line", "START RequestId: r2 Version: $LATEST"}));
  head["nextToken"] = first["nextForwardToken"];
  const json second = call("GetLogEvents", head);
  EXPECT_EQ(messages(second["events"]), std::vector<std::string>{"ERROR late"});
  head["nextToken"] = second["nextForwardToken"];
  const json end = call("GetLogEvents", head);
  EXPECT_TRUE(end["events"].empty());
  EXPECT_EQ(end["nextForwardToken"], second["nextForwardToken"]) << "the end repeats its token";
}

TEST_F(LogsApiTest, GetLogEventsEndTimeIsExclusiveAndStreamsMustExist) {
  json request = {{"logGroupName", "/aws/lambda/hello"},
                  {"logStreamName", kB},
                  {"startTime", 1400},
                  {"endTime", 2000}};
  EXPECT_EQ(messages(call("GetLogEvents", request)["events"]),
            (std::vector<std::string>{"early line", "START RequestId: r2 Version: $LATEST"}));
  request["logStreamName"] = "2024/01/01/[$LATEST]zzzz";
  const AwsError e = error_of("GetLogEvents", request);
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "The specified log stream does not exist.");
  EXPECT_EQ(error_of("GetLogEvents", {{"logGroupName", "/aws/lambda/hello"}}).type,
            "InvalidParameterException");
}

TEST_F(LogsApiTest, InvalidUtf8InMessagesIsReplacedSoTheResponseSerialises) {
  const json r = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/world"}});
  EXPECT_EQ(r["events"][0]["message"], "bad \xEF\xBF\xBD\xEF\xBF\xBD utf8");
  EXPECT_NO_THROW(static_cast<void>(r.dump()));
}

}  // namespace
}  // namespace lambdad::control_api
