#pragma once
/// @brief RAII wrappers over the SQLite C API: the store's, and the registry's own connection.
/// A module that includes this links SQLite itself.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lambdad::store::sqlite {

/// What fail() throws: a std::runtime_error with SQLite's result code and the OS error behind it.
struct Error : std::runtime_error {
  Error(const std::string& message, int code, int system_errno)
      : std::runtime_error(message), code(code), system_errno(system_errno) {}
  int code;          ///< extended result code
  int system_errno;  ///< errno of the failed system call, 0 when none
  /// The disk (or the database's max_page_count) is full: SQLITE_FULL, or ENOSPC / EDQUOT.
  bool disk_full() const;
};

/// Throws Error naming `what`, the database file, and SQLite's own message.
[[noreturn]] void fail(sqlite3* db, const std::string& what);

class Db {
 public:
  /// flags: SQLITE_OPEN_* (NOMUTEX is added: each connection is used by one thread).
  Db(const std::filesystem::path& file, int flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  const std::filesystem::path& file() const { return file_; }
  void exec(const char* sql);
  /// The first column of the first row of `sql`, as an integer (0 when there is no row).
  int64_t scalar(const char* sql);
  std::string scalar_text(const char* sql);

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

class Stmt {
 public:
  /// persistent: a statement kept and reused for the connection's lifetime (the writer's).
  Stmt(Db& db, std::string_view sql, bool persistent = false);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int index, int64_t value);
  Stmt& bind(int index, double value);
  Stmt& bind(int index, std::string_view value);
  Stmt& bind(int index, std::optional<double> value);
  Stmt& bind_null(int index);
  /// true while a row is available; throws on error.
  bool step();
  /// Runs a statement that returns no rows, then resets it for the next use.
  void run();
  void reset();

  int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// RAII transaction: commits on commit(), rolls back if destroyed before.
class Transaction {
 public:
  explicit Transaction(Db& db, const char* begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool open_ = true;
};

}  // namespace lambdad::store::sqlite
