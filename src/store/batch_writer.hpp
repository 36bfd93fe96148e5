#pragma once
/// @brief The writer thread's connection: commits one batch of queued rows per transaction
/// with statements prepared once.

#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "lambdad/store/store.hpp"
#include "lambdad/store/sqlite.hpp"

namespace lambdad::store {

using Item = std::variant<LogEvent, InvocationRecord>;

/// Memory an item holds while queued; backlog_bytes() is the sum over the queue.
size_t footprint(const Item& item);

class BatchWriter {
 public:
  /// Opens (creating the file and its folder) and migrates; throws std::runtime_error.
  /// `max_page_count` > 0 caps the database's size (tests of a full disk).
  explicit BatchWriter(const std::filesystem::path& file, int64_t max_page_count = 0);

  /// One transaction for the whole batch; throws on failure (sqlite::Error for SQLite's),
  /// leaving nothing half-written. Without `log_lines`, only the invocation records are written:
  /// not the log events, nor the records' END and REPORT lines.
  void write(std::span<const Item> batch, bool log_lines = true);

 private:
  void insert(const LogEvent& event, int64_t ingestion_ms);
  void insert(const InvocationRecord& record);
  /// One of the record's END / REPORT lines (InvocationRecord::with_end_lines).
  void insert_line(const InvocationRecord& record, std::string_view message, int64_t ingestion_ms);
  static std::array<std::string, 2> end_lines(const InvocationRecord& record);

  sqlite::Db db_;
  std::optional<sqlite::Stmt> insert_event_;
  std::optional<sqlite::Stmt> insert_invocation_;
  std::optional<sqlite::Stmt> upsert_stream_;
};

}  // namespace lambdad::store
