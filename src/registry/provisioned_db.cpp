// The API's provisioned concurrency configs as rows of `registry_provisioned` (stored_db.hpp).

#include "stored_db.hpp"

namespace lambdad::registry {

namespace sqlite = store::sqlite;

void create_provisioned_table(Db& db) {
  // A row may name a template function (which has no row of registry_functions) and outlives
  // nothing: deleting its version, alias or function deletes it.
  db.exec(R"sql(
CREATE TABLE IF NOT EXISTS registry_provisioned (
  function      TEXT    NOT NULL,
  qualifier     TEXT    NOT NULL,
  requested     INTEGER NOT NULL,
  last_modified INTEGER NOT NULL,
  PRIMARY KEY (function, qualifier)
) WITHOUT ROWID;
)sql");
}

std::map<std::pair<std::string, std::string>, ProvisionedConfig> load_provisioned(Db& db) {
  std::map<std::pair<std::string, std::string>, ProvisionedConfig> rows;
  sqlite::Stmt select(db,
                      "SELECT function, qualifier, requested, last_modified FROM "
                      "registry_provisioned");
  while (select.step()) {
    ProvisionedConfig config;
    config.function = select.text(0);
    config.qualifier = select.text(1);
    config.requested = static_cast<int>(select.int64(2));
    config.last_modified_ms = select.int64(3);
    if (config.requested < 1) continue;  // not written by lambdad: ignored
    rows[{config.function, config.qualifier}] = std::move(config);
  }
  return rows;
}

void put_provisioned(Db& db, const std::string& function, const std::string& qualifier,
                     const std::optional<ProvisionedConfig>& config) {
  if (!config) {
    sqlite::Stmt erase(db, "DELETE FROM registry_provisioned WHERE function = ? AND qualifier = ?");
    erase.bind(1, function).bind(2, qualifier).run();
    return;
  }
  sqlite::Stmt insert(
      db,
      "INSERT OR REPLACE INTO registry_provisioned (function, qualifier, requested, "
      "last_modified) VALUES (?, ?, ?, ?)");
  insert.bind(1, function).bind(2, qualifier);
  insert.bind(3, static_cast<int64_t>(config->requested));
  insert.bind(4, static_cast<int64_t>(config->last_modified_ms));
  insert.run();
}

}  // namespace lambdad::registry
