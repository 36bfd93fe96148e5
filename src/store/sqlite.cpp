#include "lambdad/store/sqlite.hpp"

#include <cerrno>
#include <mutex>
#include <stdexcept>

namespace lambdad::store::sqlite {
namespace {

/// Process-wide settings, which SQLite takes only before its first use.
void configure_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Memory statistics put a global mutex around every SQLite allocation: 9% of the writer
    // thread's time at 25k calls/s. Nothing reads them.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

bool Error::disk_full() const {
  return (code & 0xff) == SQLITE_FULL || system_errno == ENOSPC || system_errno == EDQUOT;
}

void fail(sqlite3* db, const std::string& what) {
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  std::string message = "sqlite: " + what;
  if (file && *file) message += " (" + std::string(file) + ")";
  message += ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  throw Error(message, db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM,
              db ? sqlite3_system_errno(db) : 0);
}

Db::Db(const std::filesystem::path& file, int flags) : file_(file) {
  configure_once();
  const int rc = sqlite3_open_v2(file.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    // sqlite3_db_filename is empty for a connection that failed to open: name the path here.
    std::string message = "sqlite: cannot open " + file.string() + ": ";
    message += db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw std::runtime_error(message);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  sqlite3_close_v2(db_);
}

void Db::exec(const char* sql) {
  char* error = nullptr;
  if (const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error); rc != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw Error(
        "sqlite: " + std::string(sql).substr(0, 60) + " (" + file_.string() + "): " + message,
        sqlite3_extended_errcode(db_), sqlite3_system_errno(db_));
  }
}

int64_t Db::scalar(const char* sql) {
  Stmt stmt(*this, sql);
  return stmt.step() ? stmt.int64(0) : 0;
}

std::string Db::scalar_text(const char* sql) {
  Stmt stmt(*this, sql);
  return stmt.step() ? stmt.text(0) : std::string();
}

Stmt::Stmt(Db& db, std::string_view sql, bool persistent) : db_(db) {
  const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  if (sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()), flags, &stmt_,
                         nullptr) != SQLITE_OK) {
    fail(db.get(), "prepare " + std::string(sql.substr(0, 60)));
  }
}

Stmt::~Stmt() {
  sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_.get(), "bind");
  return *this;
}

Stmt& Stmt::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(db_.get(), "bind");
  return *this;
}

Stmt& Stmt::bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: the statement may outlive the caller's buffer (it is stepped later).
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(db_.get(), "bind");
  }
  return *this;
}

Stmt& Stmt::bind(int index, std::optional<double> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Stmt& Stmt::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_.get(), "bind");
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_.get(), "step");
}

void Stmt::run() {
  try {
    step();
  } catch (...) {
    reset();
    throw;
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string();
}

Transaction::Transaction(Db& db, const char* begin) : db_(db) {
  db_.exec(begin);
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace lambdad::store::sqlite
