#include <gtest/gtest.h>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/store/store.hpp"
#include "unit/store/temp_dir.hpp"

namespace lambdad::store {
namespace {

using Order = LogReader::Order;
using Query = LogReader::Query;

std::vector<std::string> messages(const std::vector<LogReader::Row>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row.message);
  return out;
}

/// Events committed out of timestamp order, as two workers' readers can queue them.
class LogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::open(file);
    const std::string a = "2024/01/01/[$LATEST]aaaa", b = "2024/01/01/[$LATEST]bbbb";
    for (auto [stream, ts, msg] : std::vector<std::tuple<std::string, int64_t, std::string>>{
             {a, 100, "a100"},
             {b, 300, "b300 ERROR"},
             {a, 200, "a200"},
             {b, 200, "b200 ERROR disk"},
             {a, 400, "a400 WARN"},
             {b, 100, "b100"},
             {a, 300, "a300 ERROR"},
         }) {
      store->append({"fn", "$LATEST", stream, "r", ts, msg});
    }
    store->append({"other", "$LATEST", "2024/01/02/[1]cccc", "r", 150, "c150"});
    reader = LogReader::open(file);
  }

  testing::TempDir dir;
  std::filesystem::path file = dir / "lambdad.db";
  std::unique_ptr<LogReader> reader;
};

TEST_F(LogReaderTest, TimeOrderSortsByTimestampThenCommitOrder) {
  EXPECT_EQ(messages(reader->filter({.function = "fn"})),
            (std::vector<std::string>{"a100", "b100", "a200", "b200 ERROR disk", "b300 ERROR",
                                      "a300 ERROR", "a400 WARN"}));
  EXPECT_EQ(messages(reader->filter({.function = "fn", .order = Order::kTimeDesc})),
            (std::vector<std::string>{"a400 WARN", "a300 ERROR", "b300 ERROR", "b200 ERROR disk",
                                      "a200", "b100", "a100"}));
  EXPECT_EQ(messages(reader->filter({.function = "fn", .order = Order::kIngestion})),
            (std::vector<std::string>{"a100", "b300 ERROR", "a200", "b200 ERROR disk", "a400 WARN",
                                      "b100", "a300 ERROR"}));
}

TEST_F(LogReaderTest, TimeRangeIsInclusiveAndOtherFunctionsAreInvisible) {
  EXPECT_EQ(messages(reader->filter({.function = "fn", .start_ms = 200, .end_ms = 300})),
            (std::vector<std::string>{"a200", "b200 ERROR disk", "b300 ERROR", "a300 ERROR"}));
  EXPECT_EQ(messages(reader->filter({.function = "other"})), std::vector<std::string>{"c150"});
  EXPECT_TRUE(reader->filter({.function = "missing"}).empty());
}

TEST_F(LogReaderTest, PaginationByAfterIdVisitsEveryEventOnceInTimeOrder) {
  const auto all = reader->filter({.function = "fn"});
  std::vector<LogReader::Row> paged;
  std::optional<int64_t> after;
  for (int page = 0; page < 10; ++page) {
    auto rows = reader->filter({.function = "fn", .after_id = after, .limit = 2});
    if (rows.empty()) break;
    EXPECT_LE(rows.size(), 2u);
    after = rows.back().id;
    paged.insert(paged.end(), rows.begin(), rows.end());
  }
  EXPECT_EQ(messages(paged), messages(all));
}

TEST_F(LogReaderTest, CursorsPageForwardAndBackward) {
  const auto all = reader->filter({.function = "fn"});
  const LogReader::Cursor middle{all[3].timestamp_ms, all[3].id};  // b200
  EXPECT_EQ(messages(reader->filter({.function = "fn", .after = middle, .limit = 2})),
            (std::vector<std::string>{"b300 ERROR", "a300 ERROR"}));
  EXPECT_EQ(messages(reader->filter(
                {.function = "fn", .before = middle, .order = Order::kTimeDesc, .limit = 2})),
            (std::vector<std::string>{"a200", "b100"}));
  EXPECT_EQ(messages(reader->filter(
                {.function = "fn", .after_id = all[5].id, .order = Order::kTimeDesc})),
            (std::vector<std::string>{"b300 ERROR", "b200 ERROR disk", "a200", "b100", "a100"}));
}

TEST_F(LogReaderTest, IngestionOrderResumesAfterAnIdAndStopsAtASnapshot) {
  const auto ingested = reader->filter({.function = "fn", .order = Order::kIngestion});
  EXPECT_EQ(messages(reader->filter({.function = "fn",
                                     .after_id = ingested[1].id,
                                     .up_to_id = ingested[4].id,
                                     .order = Order::kIngestion})),
            (std::vector<std::string>{"a200", "b200 ERROR disk", "a400 WARN"}));
  EXPECT_EQ(reader->max_id("fn"), ingested.back().id);
  EXPECT_EQ(reader->max_id("missing"), 0);
}

TEST_F(LogReaderTest, StreamNamesAndPrefixesSelectStreams) {
  EXPECT_EQ(
      messages(reader->filter({.function = "fn", .log_streams = {"2024/01/01/[$LATEST]bbbb"}})),
      (std::vector<std::string>{"b100", "b200 ERROR disk", "b300 ERROR"}));
  EXPECT_EQ(reader
                ->filter({.function = "fn",
                          .log_streams = {"2024/01/01/[$LATEST]aaaa", "2024/01/01/[$LATEST]bbbb"}})
                .size(),
            7u);
  // `[`, `$` and `_` are literal in a prefix (no LIKE/GLOB semantics).
  EXPECT_EQ(reader->filter({.function = "fn", .log_stream_prefix = "2024/01/01/[$LATEST]a"}).size(),
            4u);
  EXPECT_TRUE(reader->filter({.function = "fn", .log_stream_prefix = "2024/01/01/[%"}).empty());
  EXPECT_TRUE(reader->filter({.function = "fn", .log_stream_prefix = "2024_01"}).empty());
}

TEST_F(LogReaderTest, FilterPatternAppliesBeforeTheLimit) {
  EXPECT_EQ(messages(reader->filter({.function = "fn", .filter_pattern = "ERROR", .limit = 2})),
            (std::vector<std::string>{"b200 ERROR disk", "b300 ERROR"}));
  EXPECT_EQ(messages(reader->filter({.function = "fn", .filter_pattern = "?WARN ?disk"})),
            (std::vector<std::string>{"b200 ERROR disk", "a400 WARN"}));
  EXPECT_EQ(messages(reader->filter({.function = "fn", .filter_pattern = "ERROR -disk"})),
            (std::vector<std::string>{"b300 ERROR", "a300 ERROR"}));
  EXPECT_THROW(reader->filter({.function = "fn", .filter_pattern = "{ $.a = 1 }"}), AwsError);
  EXPECT_THROW(reader->filter({.function = "missing", .filter_pattern = "\"open"}), AwsError);
}

TEST_F(LogReaderTest, GroupsAndStreamsAreSummarised) {
  EXPECT_EQ(reader->functions(), (std::vector<std::string>{"fn", "other"}));
  const auto groups = reader->groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].function, "fn");
  EXPECT_EQ(groups[0].stored_bytes, 4 + 10 + 4 + 15 + 9 + 4 + 10);
  EXPECT_GT(groups[0].creation_ms, 0);
  const auto streams = reader->streams("fn");
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].name, "2024/01/01/[$LATEST]aaaa");
  EXPECT_EQ(streams[0].first_ms, 100);
  EXPECT_EQ(streams[0].last_ms, 400);
  EXPECT_EQ(streams[1].name, "2024/01/01/[$LATEST]bbbb");
  EXPECT_EQ(streams[1].first_ms, 100);
  EXPECT_EQ(streams[1].last_ms, 300);
  EXPECT_GE(streams[1].last_ingestion_ms, streams[1].creation_ms);
  EXPECT_TRUE(reader->streams("missing").empty());
}

}  // namespace
}  // namespace lambdad::store
