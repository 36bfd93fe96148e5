#include "lambdad/store/store.hpp"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "unit/store/temp_dir.hpp"

namespace lambdad::store {
namespace {

using namespace std::chrono_literals;

LogEvent event(std::string function, std::string stream, int64_t ts, std::string message) {
  return {std::move(function), "$LATEST", std::move(stream), "req-1", ts, std::move(message)};
}

/// A plain sqlite3 connection, independent of the code under test.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  int64_t number(const std::string& sql) { return std::stoll("0" + text(sql)); }
  void exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  }

 private:
  sqlite3* db_ = nullptr;
};

class StoreTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::filesystem::path db = dir / "state/lambdad.db";
};

TEST_F(StoreTest, OpenCreatesTheFolderAWalDatabaseAndTheVersionedSchema) {
  auto store = Store::open(db);
  ASSERT_TRUE(std::filesystem::exists(db));
  RawDb raw(db);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.number("PRAGMA user_version"), 3);
  EXPECT_EQ(raw.number("SELECT count(*) FROM sqlite_schema WHERE name IN ('log_events', "
                       "'invocations', 'log_streams', 'log_events_by_time', "
                       "'invocations_by_time')"),
            5);
}

TEST_F(StoreTest, AppendedEventsAreReadableAfterFlushWithEveryField) {
  auto store = Store::open(db);
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  store->append({"fn", "3", "2024/01/01/[3]abc", "req-9", 1704067200123, "hello\tworld"});
  store->append(event("fn", "2024/01/01/[3]abc", 1704067200124, "second"));
  store->flush();
  EXPECT_EQ(store->backlog_bytes(), 0u);

  auto reader = LogReader::open(db);
  auto rows = reader->filter({.function = "fn"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].function, "fn");
  EXPECT_EQ(rows[0].version, "3");
  EXPECT_EQ(rows[0].log_stream, "2024/01/01/[3]abc");
  EXPECT_EQ(rows[0].request_id, "req-9");
  EXPECT_EQ(rows[0].timestamp_ms, 1704067200123);
  EXPECT_GE(rows[0].ingestion_ms, before);
  EXPECT_EQ(rows[0].message, "hello\tworld");
  EXPECT_LT(rows[0].id, rows[1].id);
  EXPECT_EQ(rows[1].message, "second");
}

TEST_F(StoreTest, RowsAreCommittedWithoutFlushWithinMilliseconds) {
  auto store = Store::open(db);
  auto reader = LogReader::open(db);
  store->append(event("fn", "s", 1, "soon"));
  // Bounded wait only so a broken writer fails instead of hanging; never a timing assertion.
  for (int i = 0; i < 500 && reader->filter({.function = "fn"}).empty(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(reader->filter({.function = "fn"}).size(), 1u);
}

TEST_F(StoreTest, InvocationRecordsRoundTripAndEachRetryAddsARow) {
  auto store = Store::open(db);
  InvocationRecord cold{"r1", "fn", "$LATEST", "RequestResponse", "s1", 1000, 38.66, 39, 203.69,
                        128,  54,   true,      "success",         ""};
  InvocationRecord retried{"r2", "fn",         "1", "Event", "s2",  2000,      3000.0,
                           3000, std::nullopt, 256, 70,      false, "timeout", "Sandbox.Timedout"};
  store->record(cold);
  store->record(retried);
  retried.outcome = "success";
  retried.error_type = "";
  retried.start_ms = 5000;
  store->record(retried);
  store->flush();

  auto records = LogReader::open(db)->invocations("fn", 10);
  ASSERT_EQ(records.size(), 3u);
  const InvocationRecord& r2 = records[0];  // newest first
  EXPECT_EQ(r2.request_id, "r2");
  EXPECT_EQ(r2.version, "1");
  EXPECT_EQ(r2.invocation_type, "Event");
  EXPECT_EQ(r2.start_ms, 5000);
  EXPECT_EQ(r2.outcome, "success");
  EXPECT_EQ(r2.error_type, "");
  EXPECT_FALSE(r2.init_duration_ms.has_value());
  EXPECT_FALSE(r2.cold);
  EXPECT_EQ(records[1].request_id, "r2");  // the first attempt keeps its row
  EXPECT_EQ(records[1].outcome, "timeout");
  const InvocationRecord& r1 = records[2];
  EXPECT_EQ(r1.log_stream, "s1");
  EXPECT_DOUBLE_EQ(r1.duration_ms, 38.66);
  EXPECT_EQ(r1.billed_ms, 39);
  ASSERT_TRUE(r1.init_duration_ms.has_value());
  EXPECT_DOUBLE_EQ(*r1.init_duration_ms, 203.69);
  EXPECT_EQ(r1.memory_size_mb, 128);
  EXPECT_EQ(r1.max_memory_used_mb, 54);
  EXPECT_TRUE(r1.cold);
  EXPECT_EQ(RawDb(db).number("SELECT count(*) FROM invocations"), 3);
}

TEST_F(StoreTest, ARecordWithEndLinesStoresEndAndReportBeforeItself) {
  auto store = Store::open(db);
  store->append(event("fn", "s1", 900, "a line"));
  InvocationRecord record{"r1", "fn", "$LATEST", "RequestResponse", "s1", 900, 12.344, 13, 120.5,
                          128,  54,   true,      "success",         ""};
  record.with_end_lines = true;
  record.end_ms = 1000;
  store->record(record);
  store->flush();

  auto reader = LogReader::open(db);
  auto rows = reader->filter({.function = "fn"});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].message, "END RequestId: r1");
  EXPECT_EQ(rows[2].message,
            "REPORT RequestId: r1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 "
            "MB\tMax Memory Used: 54 MB\tInit Duration: 120.50 ms\t");
  for (size_t i : {1u, 2u}) {
    EXPECT_EQ(rows[i].request_id, "r1");
    EXPECT_EQ(rows[i].log_stream, "s1");
    EXPECT_EQ(rows[i].version, "$LATEST");
    EXPECT_EQ(rows[i].timestamp_ms, 1000);
  }
  auto streams = reader->streams("fn");
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].last_ms, 1000);
  EXPECT_EQ(streams[0].stored_bytes,
            static_cast<int64_t>(rows[0].message.size() + rows[1].message.size() +
                                 rows[2].message.size()));
  EXPECT_EQ(reader->max_id("fn"), rows[2].id);
  EXPECT_EQ(reader->invocations("fn", 10).size(), 1u);
}

TEST_F(StoreTest, ABurstIsCommittedInFewTransactionsOfAtMost2000Rows) {
  auto store = Store::open(db);
  for (int i = 0; i < 5000; ++i) store->append(event("fn", "s", i, "line " + std::to_string(i)));
  store->flush();
  const auto stats = store->stats();
  EXPECT_EQ(stats.rows_committed, 5000u);
  EXPECT_EQ(stats.rows_dropped, 0u);
  EXPECT_LE(stats.largest_batch, 2000u);
  EXPECT_GE(stats.batches_committed, 3u);
  EXPECT_LT(stats.batches_committed, 250u) << "rows are not being batched";
  EXPECT_EQ(RawDb(db).number("SELECT count(*) FROM log_events"), 5000);
}

TEST_F(StoreTest, FlushWaitsForEverythingQueuedBeforeIt) {
  auto store = Store::open(db);
  RawDb raw(db);
  for (int round = 1; round <= 5; ++round) {
    for (int i = 0; i < 700; ++i) store->append(event("fn", "s", i, "x"));
    store->flush();
    EXPECT_EQ(raw.number("SELECT count(*) FROM log_events"), round * 700);
  }
  store->flush();  // nothing queued: returns at once
}

TEST_F(StoreTest, ConcurrentProducersLoseNothingAndKeepEachProducersOrder) {
  auto store = Store::open(db);
  constexpr int kThreads = 8, kEach = 1500;
  std::atomic<size_t> peak_backlog{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        store->append(event("fn", "stream-" + std::to_string(t), i, std::to_string(i)));
        size_t seen = store->backlog_bytes();
        size_t peak = peak_backlog.load();
        while (seen > peak && !peak_backlog.compare_exchange_weak(peak, seen)) {
        }
      }
    });
  }
  for (auto& p : producers) p.join();
  store->flush();
  EXPECT_GT(peak_backlog.load(), 0u);
  EXPECT_EQ(store->backlog_bytes(), 0u);

  auto rows = LogReader::open(db)->filter(
      {.function = "fn", .order = LogReader::Order::kIngestion, .limit = 100000});
  ASSERT_EQ(rows.size(), size_t{kThreads * kEach});
  std::map<std::string, int> next;
  for (const auto& row : rows) {
    ASSERT_EQ(row.message, std::to_string(next[row.log_stream]++)) << row.log_stream;
  }
  auto streams = LogReader::open(db)->streams("fn");
  ASSERT_EQ(streams.size(), size_t{kThreads});
  for (const auto& s : streams) {
    EXPECT_EQ(s.first_ms, 0);
    EXPECT_EQ(s.last_ms, kEach - 1);
  }
}

TEST_F(StoreTest, DestructionFlushesAndAReopenedStoreContinues) {
  {
    auto store = Store::open(db);
    store->append(event("fn", "s", 50, "before restart"));
    store->record({"r1", "fn", "$LATEST", "RequestResponse", "s", 50, 1, 1, std::nullopt, 128, 10,
                   false, "success", ""});
  }  // no flush: the destructor must commit
  {
    auto store = Store::open(db);
    store->append(event("fn", "s", 10, "after restart"));
    store->append(event("other", "t", 70, "elsewhere"));
  }
  auto reader = LogReader::open(db);
  auto rows = reader->filter({.function = "fn", .order = LogReader::Order::kIngestion});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].message, "before restart");
  EXPECT_EQ(rows[1].message, "after restart");
  EXPECT_LT(rows[0].id, rows[1].id);
  auto streams = reader->streams("fn");
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].first_ms, 10);
  EXPECT_EQ(streams[0].last_ms, 50);
  EXPECT_EQ(streams[0].stored_bytes,
            int64_t(sizeof("before restart") + sizeof("after restart") - 2));
  EXPECT_EQ(reader->functions(), (std::vector<std::string>{"fn", "other"}));
  EXPECT_EQ(reader->invocations("fn", 5).size(), 1u);
}

TEST_F(StoreTest, ASecondConnectionReadsWhileTheWriterWrites) {
  auto store = Store::open(db);
  auto reader = LogReader::open(db);  // opened before the first row exists
  constexpr int kTotal = 6000;
  std::thread producer([&] {
    for (int i = 0; i < kTotal; ++i) {
      store->append(event("fn", "s", i, std::to_string(i)));
      if (i % 500 == 0) std::this_thread::sleep_for(2ms);
    }
    store->flush();
  });
  int64_t after = 0;
  int seen = 0;
  int polls = 0;
  while (seen < kTotal && polls++ < 20000) {
    auto rows = reader->filter(
        {.function = "fn", .after_id = after, .order = LogReader::Order::kIngestion, .limit = 700});
    for (const auto& row : rows) ASSERT_EQ(row.message, std::to_string(seen++));
    if (!rows.empty()) after = rows.back().id;
    if (rows.empty()) std::this_thread::sleep_for(1ms);
  }
  producer.join();
  EXPECT_EQ(seen, kTotal);
  EXPECT_GT(polls, 1);
}

TEST_F(StoreTest, ReaderOfAFileWithoutSchemaSeesNothingUntilAServerWrites) {
  std::filesystem::create_directories(db.parent_path());
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  sqlite3_exec(handle, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  sqlite3_close(handle);

  auto reader = LogReader::open(db);
  EXPECT_TRUE(reader->functions().empty());
  EXPECT_TRUE(reader->filter({.function = "fn"}).empty());
  auto store = Store::open(db);
  store->append(event("fn", "s", 1, "now"));
  store->flush();
  EXPECT_EQ(reader->functions(), std::vector<std::string>{"fn"});
}

TEST_F(StoreTest, OpenFailuresNameThePath) {
  const auto blocker = dir / "file";
  std::ofstream(blocker) << "not a folder";
  try {
    Store::open(blocker / "lambdad.db");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((blocker / "lambdad.db").string()), std::string::npos)
        << e.what();
  }
  try {
    LogReader::open(dir / "missing.db");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.db"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "garbage.db") << std::string(4096, 'x');
  EXPECT_THROW(Store::open(dir / "garbage.db"), std::runtime_error);
}

TEST_F(StoreTest, AVersion1FileIsMigratedKeepingItsRecords) {
  std::filesystem::create_directories(db.parent_path());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_close(raw);
  RawDb v1(db);
  // The version 1 schema as released.
  v1.exec(
      "CREATE TABLE log_events (id INTEGER PRIMARY KEY, function TEXT NOT NULL, version TEXT NOT "
      "NULL, log_stream TEXT NOT NULL, request_id TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, "
      "ingestion_ms INTEGER NOT NULL, message TEXT NOT NULL);"
      "CREATE INDEX log_events_by_time ON log_events (function, timestamp_ms);"
      "CREATE INDEX log_events_by_id ON log_events (function, id);"
      "CREATE TABLE log_streams (function TEXT NOT NULL, log_stream TEXT NOT NULL, creation_ms "
      "INTEGER NOT NULL, first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, last_ingestion_ms "
      "INTEGER NOT NULL, stored_bytes INTEGER NOT NULL, PRIMARY KEY (function, log_stream)) "
      "WITHOUT ROWID;"
      "CREATE TABLE invocations (request_id TEXT PRIMARY KEY, function TEXT NOT NULL, version "
      "TEXT NOT NULL, invocation_type TEXT NOT NULL, log_stream TEXT NOT NULL, start_ms INTEGER "
      "NOT NULL, duration_ms REAL NOT NULL, billed_ms INTEGER NOT NULL, init_duration_ms REAL, "
      "memory_size_mb INTEGER NOT NULL, max_memory_used_mb INTEGER NOT NULL, cold INTEGER NOT "
      "NULL, outcome TEXT NOT NULL, error_type TEXT NOT NULL);"
      "CREATE INDEX invocations_by_time ON invocations (function, start_ms);"
      "INSERT INTO invocations VALUES ('old', 'fn', '$LATEST', 'RequestResponse', 's', 1000, 2.5, "
      "3, 40.5, 128, 20, 1, 'success', '');"
      "INSERT INTO log_events VALUES (41, 'fn', '$LATEST', 's', 'old', 1000, 1001, 'a line');"
      "INSERT INTO log_streams VALUES ('fn', 's', 1001, 1000, 1000, 1001, 6);"
      "PRAGMA user_version = 1;");

  auto store = Store::open(db);
  EXPECT_EQ(v1.number("PRAGMA user_version"), 3);
  EXPECT_EQ(v1.number("SELECT count(*) FROM sqlite_schema WHERE name = 'log_events_by_id'"), 0);
  InvocationRecord again{"old", "fn",         "$LATEST", "Event", "s",   2000,      1.0,
                         1,     std::nullopt, 128,       20,      false, "success", ""};
  store->record(again);
  store->flush();
  auto records = LogReader::open(db)->invocations("fn", 10);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].request_id, "old");
  EXPECT_DOUBLE_EQ(*records[1].init_duration_ms, 40.5);
  EXPECT_EQ(records[0].start_ms, 2000);
  EXPECT_EQ(LogReader::open(db)->max_id("fn"), 41);
}

TEST_F(StoreTest, ANewerSchemaIsRefusedNotOverwritten) {
  Store::open(db);
  RawDb(db).exec("PRAGMA user_version = 99");
  try {
    Store::open(db);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
  EXPECT_THROW(LogReader::open(db), std::runtime_error);
}

// A full disk, simulated by the database's max_page_count: log lines are dropped first,
// invocation records are still written, nothing blocks, and the store recovers by itself once
// there is room again.
class FullDiskTest : public StoreTest {
 protected:
  std::filesystem::path reserve = db.string() + "-reserve";

  std::unique_ptr<Store> open_nearly_full() {
    Store::open(db, {.reserve_bytes = 0});  // the schema, and its page count
    RawDb raw(db);
    const int64_t pages = raw.number("PRAGMA page_count");
    return Store::open(
        db, {.reserve_bytes = 64 * 1024, .recheck_interval = 20ms, .max_page_count = pages + 8});
  }
  static InvocationRecord record(std::string id) {
    InvocationRecord r{std::move(id), "fn", "$LATEST", "Event", "s1",      900, 12.3, 13,
                       std::nullopt,  128,  20,        false,   "success", ""};
    r.with_end_lines = true;
    r.end_ms = 901;
    return r;
  }
};

TEST_F(FullDiskTest, TheReserveFileIsMadeAtOpen) {
  auto store = Store::open(db, {.reserve_bytes = 64 * 1024});
  ASSERT_TRUE(std::filesystem::exists(reserve));
  EXPECT_EQ(std::filesystem::file_size(reserve), 64u * 1024);
  EXPECT_FALSE(store->stats().disk_full);
}

TEST_F(FullDiskTest, LogLinesAreDroppedRecordsKeptAndItRecovers) {
  auto store = open_nearly_full();
  // Every line is larger than the room left (8 pages), so no batch holding one fits.
  for (int i = 0; i < 200; ++i) store->append(event("fn", "s1", i, std::string(40000, 'x')));
  store->flush();
  Store::Stats stats = store->stats();
  EXPECT_TRUE(stats.disk_full);
  EXPECT_NE(stats.disk_full_reason.find("full"), std::string::npos) << stats.disk_full_reason;
  EXPECT_EQ(stats.log_lines_dropped, 200u);
  EXPECT_EQ(stats.records_dropped, 0u);
  EXPECT_FALSE(std::filesystem::exists(reserve)) << "deleted: its room is the records'";

  // Still full: the records of a batch are written without its lines (their END and REPORT
  // lines included), within the pages the database already has.
  for (int i = 0; i < 50; ++i) store->append(event("fn", "s1", 1000 + i, std::string(40000, 'y')));
  store->record(record("r1"));
  store->record(record("r2"));
  store->flush();
  stats = store->stats();
  EXPECT_TRUE(stats.disk_full);
  EXPECT_EQ(stats.records_dropped, 0u);
  EXPECT_EQ(stats.log_lines_dropped, 200u + 50 + 4);
  EXPECT_EQ(stats.rows_dropped, 250u);
  RawDb raw(db);
  EXPECT_EQ(raw.number("SELECT count(*) FROM invocations"), 2);
  EXPECT_EQ(raw.number("SELECT count(*) FROM log_events"), 0);

  // Room again (here: a line that fits): after a recheck interval the store makes its reserve
  // again and stores log lines.
  std::this_thread::sleep_for(250ms);
  store->append(event("fn", "s1", 2000, "after"));
  store->flush();
  EXPECT_FALSE(store->stats().disk_full);
  EXPECT_EQ(store->stats().disk_full_reason, "");
  EXPECT_EQ(raw.number("SELECT count(*) FROM log_events WHERE message = 'after'"), 1);
  EXPECT_TRUE(std::filesystem::exists(reserve)) << "made again";
}

TEST_F(FullDiskTest, NothingWaitsOnAFullDatabase) {
  auto store = open_nearly_full();
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 100; ++i) store->append(event("fn", "s1", i, std::string(40000, 'z')));
    store->record(record("r" + std::to_string(round)));
    store->flush();
  }
  EXPECT_TRUE(store->stats().disk_full);
  EXPECT_EQ(store->backlog_bytes(), 0u);
  // No retries with sleeps per batch (3 attempts, 300 ms) once the disk is known to be full.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace lambdad::store
