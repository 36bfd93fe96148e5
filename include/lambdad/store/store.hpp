#pragma once
/// @brief The SQLite store (`<state-dir>/lambdad.db`, WAL): log events and invocation records.
/// Writes are queued and committed in batches by the store's own thread, so the I/O threads never
/// wait on SQLite.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lambdad::store {

struct LogEvent {
  std::string function;
  std::string version;     ///< $LATEST or a number
  std::string log_stream;  ///< YYYY/MM/DD/[$LATEST]<hex>, one per worker
  std::string request_id;  ///< empty for lines written outside an invocation (init)
  int64_t timestamp_ms = 0;
  std::string message;  ///< one line, without its trailing newline
};

struct InvocationRecord {
  std::string request_id;
  std::string function;
  std::string version;
  std::string invocation_type;  ///< RequestResponse | Event
  std::string log_stream;
  int64_t start_ms = 0;
  double duration_ms = 0;
  int64_t billed_ms = 0;
  std::optional<double> init_duration_ms;  ///< set on cold invocations only
  int memory_size_mb = 0;
  int max_memory_used_mb = 0;
  bool cold = false;
  std::string outcome;     ///< success | error | timeout | crash
  std::string error_type;  ///< e.g. Runtime.ExitError; empty on success
};

/// Thread-safe. append()/record() never block on SQLite; the writer thread commits a batch
/// every few milliseconds. Destruction flushes everything queued.
class Store {
 public:
  static std::unique_ptr<Store> open(const std::filesystem::path& db_file);
  virtual ~Store() = default;

  virtual void append(LogEvent event) = 0;
  virtual void record(InvocationRecord record) = 0;
  /// Bytes queued and not yet committed; log readers slow down above a high-water mark.
  virtual size_t backlog_bytes() const = 0;
  /// Blocks until everything queued so far is committed.
  virtual void flush() = 0;
};

/// Read side, on its own connection (a second process may read while the server writes).
/// One LogReader per thread.
class LogReader {
 public:
  struct Query {
    std::string function;  ///< from the log group /aws/lambda/<function>
    std::optional<int64_t> start_ms;
    std::optional<int64_t> end_ms;
    std::string filter_pattern;  ///< CloudWatch Logs filter syntax (terms, "phrases", ?or, -not)
    std::vector<std::string> log_streams;
    std::optional<int64_t> after_id;  ///< resume after this event id (pagination, --follow)
    size_t limit = 10000;
  };
  struct Row {
    int64_t id = 0;
    std::string function;
    std::string version;
    std::string log_stream;
    std::string request_id;
    int64_t timestamp_ms = 0;
    int64_t ingestion_ms = 0;
    std::string message;
  };
  struct Stream {
    std::string name;
    int64_t first_ms = 0;
    int64_t last_ms = 0;
  };

  static std::unique_ptr<LogReader> open(const std::filesystem::path& db_file);
  virtual ~LogReader() = default;
  virtual std::vector<Row> filter(const Query& query) = 0;
  virtual std::vector<std::string> functions() = 0;  ///< functions that have log events
  virtual std::vector<Stream> streams(const std::string& function) = 0;
};

}  // namespace lambdad::store
