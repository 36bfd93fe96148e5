#include <nlohmann/json.hpp>

#include "stored_db.hpp"

namespace lambdad::registry {

namespace sqlite = store::sqlite;

void create_policy_table(Db& db) {
  db.exec(R"sql(
CREATE TABLE IF NOT EXISTS registry_policies (
  function    TEXT NOT NULL,
  qualifier   TEXT NOT NULL,
  statements  TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  PRIMARY KEY (function, qualifier)
) WITHOUT ROWID;
)sql");
}

std::map<std::pair<std::string, std::string>, Policy> load_policies(Db& db) {
  std::map<std::pair<std::string, std::string>, Policy> policies;
  sqlite::Stmt select(db,
                      "SELECT function, qualifier, statements, revision_id FROM registry_policies");
  while (select.step()) {
    Policy& policy = policies[{select.text(0), select.text(1)}];
    for (auto& statement : nlohmann::json::parse(select.text(2))) {
      policy.statements.push_back(std::move(statement));
    }
    policy.revision_id = select.text(3);
  }
  return policies;
}

void put_policy(Db& db, const std::string& function, const std::string& qualifier,
                const Policy& policy) {
  if (policy.statements.empty()) {
    sqlite::Stmt erase(db, "DELETE FROM registry_policies WHERE function = ? AND qualifier = ?");
    erase.bind(1, function).bind(2, qualifier).run();
    return;
  }
  sqlite::Stmt insert(db,
                      "INSERT OR REPLACE INTO registry_policies (function, qualifier, statements, "
                      "revision_id) VALUES (?, ?, ?, ?)");
  insert.bind(1, function)
      .bind(2, qualifier)
      .bind(3, nlohmann::json(policy.statements).dump())
      .bind(4, policy.revision_id)
      .run();
}

}  // namespace lambdad::registry
