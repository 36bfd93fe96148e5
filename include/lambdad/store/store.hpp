#pragma once
/// @brief The SQLite store (`<state-dir>/lambdad.db`, WAL): log events and invocation records.
/// Writes are queued and committed in batches by the store's own thread, so the I/O threads never
/// wait on SQLite.

#include <chrono>
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
  /// When set, the writer also stores the invocation's `END` and `REPORT` lines, stamped
  /// end_ms, just before the record: built from its figures on the writer's thread rather than
  /// on the io thread, which every warm call crosses.
  bool with_end_lines = false;
  int64_t end_ms = 0;
};

struct StoreOptions {
  /// Room kept for invocation records when the disk fills: a file of this size beside the
  /// database (`lambdad.db-reserve`), deleted when a write finds the disk full, so that records
  /// (not log lines, which are dropped from then on) get the space, and made again once the disk
  /// has room. 0: none.
  uint64_t reserve_bytes = 16ull << 20;
  /// How often a full store tries again to make its reserve and store log lines.
  std::chrono::milliseconds recheck_interval{1000};
  /// Tests: `PRAGMA max_page_count`, a full database on a disk with room (0: SQLite's default).
  int64_t max_page_count = 0;
};

/// Thread-safe. append()/record() never block on SQLite; the writer thread commits a batch
/// every few milliseconds. Destruction flushes everything queued.
///
/// A full disk (SQLITE_FULL, ENOSPC) is a state, not an error per batch: from the first write
/// that finds it, log lines are dropped (counted) and invocation records are still written, into
/// the room the reserve file gave back; every recheck_interval the store tries to make its
/// reserve again and, when that works, to store log lines again. Nothing blocks or crashes.
class Store {
 public:
  /// Producers (worker log readers) pause reading their pipes while backlog_bytes() is above
  /// this, so a flooding worker blocks on its own pipe instead of growing lambdad's memory.
  static constexpr size_t kBacklogHighWater = 64 * 1024 * 1024;

  /// Creates the file (and its folder) if missing, switches it to WAL and migrates the schema.
  /// Throws std::runtime_error naming the path and SQLite's message.
  static std::unique_ptr<Store> open(const std::filesystem::path& db_file,
                                     StoreOptions options = {});
  virtual ~Store() = default;

  virtual void append(LogEvent event) = 0;
  virtual void record(InvocationRecord record) = 0;
  /// Bytes queued and not yet committed; log readers slow down above a high-water mark.
  virtual size_t backlog_bytes() const = 0;
  /// Blocks until everything queued so far is committed.
  virtual void flush() = 0;

  /// Counters since open(), for /metrics and tests.
  struct Stats {
    uint64_t rows_committed = 0;
    uint64_t batches_committed = 0;  ///< transactions
    uint64_t largest_batch = 0;      ///< rows in the largest transaction
    uint64_t rows_dropped = 0;       ///< not stored: the disk was full, or commits kept failing
    uint64_t log_lines_dropped = 0;  ///< of them, log lines (the END / REPORT lines included)
    uint64_t records_dropped = 0;    ///< of them, invocation records
    bool disk_full = false;          ///< log lines are being dropped because the disk is full
    std::string disk_full_reason;    ///< SQLite's message for the write that found it full
  };
  virtual Stats stats() const = 0;
};

/// Read side, on its own connection (a second process may read while the server writes).
/// One LogReader per thread.
class LogReader {
 public:
  /// A position in the (timestamp, id) order of a function's events.
  struct Cursor {
    int64_t timestamp_ms = 0;
    int64_t id = 0;
  };
  enum class Order {
    kTime,      ///< (timestamp, id) ascending: what CloudWatch returns
    kTimeDesc,  ///< (timestamp, id) descending: newest first (GetLogEvents from the tail)
    kIngestion  ///< id ascending: commit order; --follow uses it so a late line is never skipped
  };
  struct Query {
    std::string function;             ///< from the log group /aws/lambda/<function>
    std::optional<int64_t> start_ms;  ///< inclusive
    std::optional<int64_t> end_ms;    ///< inclusive
    std::string filter_pattern;  ///< CloudWatch Logs filter syntax (terms, "phrases", ?or, -not)
    std::vector<std::string> log_streams;  ///< any of these; empty = all
    std::string log_stream_prefix;
    /// Resume after this event id, in `order` (for kTime: after that event's (timestamp, id)).
    std::optional<int64_t> after_id;
    std::optional<Cursor> after;      ///< strictly after, in (timestamp, id) order
    std::optional<Cursor> before;     ///< strictly before, in (timestamp, id) order
    std::optional<int64_t> up_to_id;  ///< ignore events committed after this id (a snapshot)
    Order order = Order::kTime;
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
    int64_t creation_ms = 0;        ///< when its first event was committed
    int64_t last_ingestion_ms = 0;  ///< when its latest event was committed
    int64_t stored_bytes = 0;       ///< sum of message sizes
  };
  /// A function that has log events, i.e. a log group /aws/lambda/<function>.
  struct Group {
    std::string function;
    int64_t creation_ms = 0;
    int64_t stored_bytes = 0;
  };

  /// Opens read-only; throws std::runtime_error naming the path if it is missing or unreadable.
  /// A file without the schema yet reads as empty.
  static std::unique_ptr<LogReader> open(const std::filesystem::path& db_file);
  virtual ~LogReader() = default;
  /// Events in query.order, at most query.limit. Throws AwsError (400 InvalidParameterException)
  /// for a filter pattern it cannot run.
  virtual std::vector<Row> filter(const Query& query) = 0;
  virtual std::vector<std::string> functions() = 0;  ///< functions that have log events, sorted
  virtual std::vector<Group> groups() = 0;           ///< sorted by function
  virtual std::vector<Stream> streams(const std::string& function) = 0;  ///< sorted by name
  /// The highest event id of `function` (0 when none): a snapshot point for Query::up_to_id.
  virtual int64_t max_id(const std::string& function) = 0;
  /// The newest `limit` invocation records of `function`, newest first.
  virtual std::vector<InvocationRecord> invocations(const std::string& function, size_t limit) = 0;
};

}  // namespace lambdad::store
