// LogReader: a read-only connection of its own, so it works beside a running server's writer.
#include <string>
#include <variant>
#include <vector>

#include "lambdad/store/filter_pattern.hpp"
#include "lambdad/store/store.hpp"
#include "schema.hpp"
#include "lambdad/store/sqlite.hpp"

namespace lambdad::store {
namespace {

using Query = LogReader::Query;
using Order = LogReader::Order;

/// A WHERE clause and the values for its `?` placeholders, in order.
class Where {
 public:
  void add(std::string condition) { sql_ += (sql_.empty() ? " WHERE " : " AND ") + condition; }
  template <class T>
  void add(std::string condition, T value) {
    add(std::move(condition));
    values_.emplace_back(std::move(value));
  }
  void bind_value(std::variant<int64_t, std::string> value) { values_.push_back(std::move(value)); }
  const std::string& sql() const { return sql_; }
  void bind_all(sqlite::Stmt& stmt) const {
    int index = 1;
    for (const auto& value : values_) {
      std::visit([&](const auto& v) { stmt.bind(index++, v); }, value);
    }
  }

 private:
  std::string sql_;
  std::vector<std::variant<int64_t, std::string>> values_;
};

void add_streams(Where& where, const Query& q) {
  if (!q.log_streams.empty()) {
    std::string in = "log_stream IN (";
    for (size_t i = 0; i < q.log_streams.size(); ++i) in += i ? ",?" : "?";
    where.add(in + ")");
    for (const auto& name : q.log_streams) where.bind_value(name);
  }
  if (!q.log_stream_prefix.empty()) {
    // substr, not LIKE/GLOB: stream names hold `[`, `$` and `_`, which those treat specially.
    where.add("substr(log_stream, 1, ?) = ?", static_cast<int64_t>(q.log_stream_prefix.size()));
    where.bind_value(q.log_stream_prefix);
  }
}

void add_position(Where& where, const Query& q) {
  // The redundant plain timestamp bounds let SQLite narrow its index range on their own.
  if (q.after) {
    where.add("timestamp_ms >= ?", q.after->timestamp_ms);
    where.add("(timestamp_ms, id) > (?, ?)", q.after->timestamp_ms);
    where.bind_value(q.after->id);
  }
  if (q.before) {
    where.add("timestamp_ms <= ?", q.before->timestamp_ms);
    where.add("(timestamp_ms, id) < (?, ?)", q.before->timestamp_ms);
    where.bind_value(q.before->id);
  }
  if (q.after_id && q.order == Order::kIngestion) where.add("id > ?", *q.after_id);
  if (q.after_id && q.order == Order::kTime) {
    where.add("(timestamp_ms, id) > ((SELECT timestamp_ms FROM log_events WHERE id = ?), ?)",
              *q.after_id);
    where.bind_value(*q.after_id);
  }
  if (q.after_id && q.order == Order::kTimeDesc) {
    where.add("(timestamp_ms, id) < ((SELECT timestamp_ms FROM log_events WHERE id = ?), ?)",
              *q.after_id);
    where.bind_value(*q.after_id);
  }
  if (q.up_to_id) where.add("id <= ?", *q.up_to_id);
}

std::string select_sql(const Query& q, Where& where) {
  // Commit order walks the rowid from after_id (a recent id, or the whole table without one):
  // the unary + keeps SQLite from taking the time index for the function and sorting.
  where.add(q.order == Order::kIngestion ? "+function = ?" : "function = ?", q.function);
  if (q.start_ms) where.add("timestamp_ms >= ?", *q.start_ms);
  if (q.end_ms) where.add("timestamp_ms <= ?", *q.end_ms);
  add_streams(where, q);
  add_position(where, q);
  const char* order = q.order == Order::kTime       ? " ORDER BY timestamp_ms, id"
                      : q.order == Order::kTimeDesc ? " ORDER BY timestamp_ms DESC, id DESC"
                                                    : " ORDER BY id";
  return "SELECT id, function, version, log_stream, request_id, timestamp_ms, ingestion_ms, "
         "message FROM log_events" +
         where.sql() + order;
}

LogReader::Row read_row(const sqlite::Stmt& s) {
  return {s.int64(0), s.text(1),  s.text(2),  s.text(3),
          s.text(4),  s.int64(5), s.int64(6), s.text(7)};
}

InvocationRecord read_invocation(const sqlite::Stmt& s) {
  InvocationRecord r;
  r.request_id = s.text(0);
  r.function = s.text(1);
  r.version = s.text(2);
  r.invocation_type = s.text(3);
  r.log_stream = s.text(4);
  r.start_ms = s.int64(5);
  r.duration_ms = s.real(6);
  r.billed_ms = s.int64(7);
  if (!s.is_null(8)) r.init_duration_ms = s.real(8);
  r.memory_size_mb = static_cast<int>(s.int64(9));
  r.max_memory_used_mb = static_cast<int>(s.int64(10));
  r.cold = s.int64(11) != 0;
  r.outcome = s.text(12);
  r.error_type = s.text(13);
  return r;
}

class SqliteLogReader final : public LogReader {
 public:
  explicit SqliteLogReader(const std::filesystem::path& file)
      : db_(file, SQLITE_OPEN_READONLY), has_schema_(schema::prepare_for_reading(db_)) {}

  std::vector<Row> filter(const Query& query) override;
  std::vector<std::string> functions() override;
  std::vector<Group> groups() override;
  std::vector<Stream> streams(const std::string& function) override;
  int64_t max_id(const std::string& function) override;
  std::vector<InvocationRecord> invocations(const std::string& function, size_t limit) override;

 private:
  /// A server may create the schema after this reader opened an empty file.
  bool ready() { return has_schema_ || (has_schema_ = schema::prepare_for_reading(db_)); }

  sqlite::Db db_;
  bool has_schema_;
};

std::vector<LogReader::Row> SqliteLogReader::filter(const Query& query) {
  // Parsed before touching the database so a bad pattern fails the same on an empty one.
  const FilterPattern pattern = FilterPattern::parse(query.filter_pattern);
  std::vector<Row> rows;
  if (!ready() || query.limit == 0) return rows;
  Where where;
  const std::string sql = select_sql(query, where);
  sqlite::Stmt stmt(db_, sql);
  where.bind_all(stmt);
  // The pattern runs here rather than in SQL so the limit counts matching events only.
  while (rows.size() < query.limit && stmt.step()) {
    Row row = read_row(stmt);
    if (pattern.matches(row.message)) rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> SqliteLogReader::functions() {
  std::vector<std::string> names;
  for (auto& group : groups()) names.push_back(std::move(group.function));
  return names;
}

std::vector<LogReader::Group> SqliteLogReader::groups() {
  std::vector<Group> groups;
  if (!ready()) return groups;
  sqlite::Stmt stmt(db_,
                    "SELECT function, min(creation_ms), sum(stored_bytes) FROM log_streams "
                    "GROUP BY function ORDER BY function");
  while (stmt.step()) groups.push_back({stmt.text(0), stmt.int64(1), stmt.int64(2)});
  return groups;
}

std::vector<LogReader::Stream> SqliteLogReader::streams(const std::string& function) {
  std::vector<Stream> streams;
  if (!ready()) return streams;
  sqlite::Stmt stmt(db_,
                    "SELECT log_stream, first_ms, last_ms, creation_ms, last_ingestion_ms, "
                    "stored_bytes FROM log_streams WHERE function = ? ORDER BY log_stream");
  stmt.bind(1, function);
  while (stmt.step()) {
    streams.push_back(
        {stmt.text(0), stmt.int64(1), stmt.int64(2), stmt.int64(3), stmt.int64(4), stmt.int64(5)});
  }
  return streams;
}

int64_t SqliteLogReader::max_id(const std::string& function) {
  if (!ready()) return 0;
  sqlite::Stmt stmt(db_, "SELECT max(last_id) FROM log_streams WHERE function = ?");
  stmt.bind(1, function);
  return stmt.step() ? stmt.int64(0) : 0;
}

std::vector<InvocationRecord> SqliteLogReader::invocations(const std::string& function,
                                                           size_t limit) {
  std::vector<InvocationRecord> records;
  if (!ready()) return records;
  sqlite::Stmt stmt(db_,
                    "SELECT request_id, function, version, invocation_type, log_stream, start_ms, "
                    "duration_ms, billed_ms, init_duration_ms, memory_size_mb, "
                    "max_memory_used_mb, cold, outcome, error_type FROM invocations "
                    "WHERE function = ? ORDER BY start_ms DESC, rowid DESC LIMIT ?");
  stmt.bind(1, function).bind(2, static_cast<int64_t>(limit));
  while (stmt.step()) records.push_back(read_invocation(stmt));
  return records;
}

}  // namespace

std::unique_ptr<LogReader> LogReader::open(const std::filesystem::path& db_file) {
  return std::make_unique<SqliteLogReader>(db_file);
}

}  // namespace lambdad::store
