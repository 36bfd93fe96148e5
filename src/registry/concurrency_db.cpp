#include "concurrency_db.hpp"

namespace lambdad::registry {
namespace {

namespace sqlite = store::sqlite;

// Its own table, so the functions' rows keep their shape; a row may name a template function,
// which has no row of registry_functions.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS registry_concurrency (
  name     TEXT PRIMARY KEY,
  reserved INTEGER
) WITHOUT ROWID;
)sql";

}  // namespace

std::map<std::string, std::optional<int>> load_concurrency_rows(sqlite::Db& db) {
  db.exec(kSchema);
  std::map<std::string, std::optional<int>> rows;
  sqlite::Stmt select(db, "SELECT name, reserved FROM registry_concurrency");
  while (select.step()) {
    std::optional<int> reserved;
    if (!select.is_null(1)) reserved = static_cast<int>(select.int64(1));
    rows[select.text(0)] = reserved;
  }
  return rows;
}

void put_concurrency_row(sqlite::Db& db, const std::string& name, std::optional<int> reserved) {
  sqlite::Stmt insert(db,
                      "INSERT OR REPLACE INTO registry_concurrency (name, reserved) VALUES (?, ?)");
  insert.bind(1, name);
  if (reserved) {
    insert.bind(2, static_cast<int64_t>(*reserved));
  } else {
    insert.bind_null(2);
  }
  insert.run();
}

void remove_concurrency_row(sqlite::Db& db, const std::string& name) {
  sqlite::Stmt erase(db, "DELETE FROM registry_concurrency WHERE name = ?");
  erase.bind(1, name).run();
}

}  // namespace lambdad::registry
