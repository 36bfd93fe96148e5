#include "batch_writer.hpp"

#include <array>
#include <chrono>
#include <climits>
#include <map>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "lambdad/common/platform_log.hpp"
#include "schema.hpp"

namespace lambdad::store {
namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO log_events (function, version, log_stream, request_id, timestamp_ms, "
    "ingestion_ms, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

// One row per attempt: an async retry reuses its request id (as on AWS) and adds a row.
constexpr const char* kInsertInvocation =
    "INSERT INTO invocations (request_id, function, version, invocation_type, "
    "log_stream, start_ms, duration_ms, billed_ms, init_duration_ms, memory_size_mb, "
    "max_memory_used_mb, cold, outcome, error_type) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

constexpr const char* kUpsertStream =
    "INSERT INTO log_streams (function, log_stream, creation_ms, first_ms, last_ms, "
    "last_ingestion_ms, stored_bytes, last_id) VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?6, ?7) "
    "ON CONFLICT (function, log_stream) DO UPDATE SET "
    "first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms), "
    "last_ingestion_ms = excluded.last_ingestion_ms, "
    "stored_bytes = stored_bytes + excluded.stored_bytes, last_id = excluded.last_id";

struct StreamTotals {
  int64_t first_ms = INT64_MAX;
  int64_t last_ms = INT64_MIN;
  int64_t bytes = 0;
  int64_t last_id = 0;
};

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const std::filesystem::path& with_folder(const std::filesystem::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    throw std::runtime_error("sqlite: cannot create the folder of " + file.string() + ": " +
                             ec.message());
  }
  return file;
}

size_t text_bytes(const LogEvent& e) {
  return e.function.size() + e.version.size() + e.log_stream.size() + e.request_id.size() +
         e.message.size();
}

size_t text_bytes(const InvocationRecord& r) {
  return r.request_id.size() + r.function.size() + r.version.size() + r.invocation_type.size() +
         r.log_stream.size() + r.outcome.size() + r.error_type.size();
}

}  // namespace

size_t footprint(const Item& item) {
  return sizeof(Item) + std::visit([](const auto& v) { return text_bytes(v); }, item);
}

BatchWriter::BatchWriter(const std::filesystem::path& file, int64_t max_page_count)
    : db_(with_folder(file), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
  schema::prepare_for_writing(db_);
  if (max_page_count > 0) {
    db_.exec(("PRAGMA max_page_count = " + std::to_string(max_page_count)).c_str());
  }
  insert_event_.emplace(db_, kInsertEvent, true);
  insert_invocation_.emplace(db_, kInsertInvocation, true);
  upsert_stream_.emplace(db_, kUpsertStream, true);
}

void BatchWriter::write(std::span<const Item> batch, bool log_lines) {
  const int64_t ingestion_ms = now_ms();
  // IMMEDIATE takes the write lock up front, so a competing writer waits in busy_timeout
  // instead of failing the batch half-way.
  sqlite::Transaction tx(db_, "BEGIN IMMEDIATE");
  // Keys view the batch's own strings, which outlive the map.
  std::map<std::pair<std::string_view, std::string_view>, StreamTotals> streams;
  auto count_line = [&](const std::string& function, const std::string& stream, int64_t ts,
                        size_t bytes) {
    auto& totals = streams[{function, stream}];
    totals.last_id = sqlite3_last_insert_rowid(db_.get());
    totals.first_ms = std::min(totals.first_ms, ts);
    totals.last_ms = std::max(totals.last_ms, ts);
    totals.bytes += static_cast<int64_t>(bytes);
  };
  for (const Item& item : batch) {
    if (const auto* event = std::get_if<LogEvent>(&item)) {
      if (!log_lines) continue;
      insert(*event, ingestion_ms);
      count_line(event->function, event->log_stream, event->timestamp_ms, event->message.size());
      continue;
    }
    const auto& record = std::get<InvocationRecord>(item);
    if (record.with_end_lines && log_lines) {
      for (const std::string& line : end_lines(record)) {
        insert_line(record, line, ingestion_ms);
        count_line(record.function, record.log_stream, record.end_ms, line.size());
      }
    }
    insert(record);
  }
  for (const auto& [key, totals] : streams) {
    upsert_stream_->bind(1, key.first).bind(2, key.second).bind(3, ingestion_ms);
    upsert_stream_->bind(4, totals.first_ms).bind(5, totals.last_ms).bind(6, totals.bytes);
    upsert_stream_->bind(7, totals.last_id);
    upsert_stream_->run();
  }
  tx.commit();
}

void BatchWriter::insert(const LogEvent& e, int64_t ingestion_ms) {
  auto& s = *insert_event_;
  s.bind(1, e.function).bind(2, e.version).bind(3, e.log_stream).bind(4, e.request_id);
  s.bind(5, e.timestamp_ms).bind(6, ingestion_ms).bind(7, e.message);
  s.run();
}

void BatchWriter::insert_line(const InvocationRecord& r, std::string_view message,
                              int64_t ingestion_ms) {
  auto& s = *insert_event_;
  s.bind(1, r.function).bind(2, r.version).bind(3, r.log_stream).bind(4, r.request_id);
  s.bind(5, r.end_ms).bind(6, ingestion_ms).bind(7, message);
  s.run();
}

std::array<std::string, 2> BatchWriter::end_lines(const InvocationRecord& r) {
  return {end_line(r.request_id), report_line({r.request_id, r.duration_ms, r.memory_size_mb,
                                               r.max_memory_used_mb, r.init_duration_ms})};
}

void BatchWriter::insert(const InvocationRecord& r) {
  auto& s = *insert_invocation_;
  s.bind(1, r.request_id).bind(2, r.function).bind(3, r.version).bind(4, r.invocation_type);
  s.bind(5, r.log_stream).bind(6, r.start_ms).bind(7, r.duration_ms).bind(8, r.billed_ms);
  s.bind(9, r.init_duration_ms).bind(10, int64_t{r.memory_size_mb});
  s.bind(11, int64_t{r.max_memory_used_mb}).bind(12, int64_t{r.cold ? 1 : 0});
  s.bind(13, r.outcome).bind(14, r.error_type);
  s.run();
}

}  // namespace lambdad::store
