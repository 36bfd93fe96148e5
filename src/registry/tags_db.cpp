#include <nlohmann/json.hpp>

#include "stored_db.hpp"

namespace lambdad::registry {

namespace sqlite = store::sqlite;

void create_tag_table(Db& db) {
  db.exec(R"sql(
CREATE TABLE IF NOT EXISTS registry_tags (
  function TEXT PRIMARY KEY,
  tags     TEXT NOT NULL
) WITHOUT ROWID;
)sql");
}

std::map<std::string, TagMap> load_api_tags(Db& db) {
  std::map<std::string, TagMap> tags;
  sqlite::Stmt select(db, "SELECT function, tags FROM registry_tags");
  while (select.step()) {
    tags[select.text(0)] = nlohmann::json::parse(select.text(1)).get<TagMap>();
  }
  return tags;
}

void put_api_tags(Db& db, const std::string& function, const TagMap& tags) {
  if (tags.empty()) {
    sqlite::Stmt erase(db, "DELETE FROM registry_tags WHERE function = ?");
    erase.bind(1, function).run();
    return;
  }
  sqlite::Stmt insert(db, "INSERT OR REPLACE INTO registry_tags (function, tags) VALUES (?, ?)");
  insert.bind(1, function).bind(2, nlohmann::json(tags).dump()).run();
}

void forget_function(Db& db, const std::string& function) {
  sqlite::Transaction transaction(db, "BEGIN IMMEDIATE");
  for (const char* sql : {"DELETE FROM registry_tags WHERE function = ?",
                          "DELETE FROM registry_policies WHERE function = ?",
                          "DELETE FROM registry_event_invoke_configs WHERE function = ?",
                          "DELETE FROM registry_provisioned WHERE function = ?"}) {
    sqlite::Stmt erase(db, sql);
    erase.bind(1, function).run();
  }
  transaction.commit();
}

void forget_qualifier(Db& db, const std::string& function, const std::string& qualifier) {
  for (const char* sql :
       {"DELETE FROM registry_policies WHERE function = ? AND qualifier = ?",
        "DELETE FROM registry_event_invoke_configs WHERE function = ? AND qualifier = ?",
        "DELETE FROM registry_provisioned WHERE function = ? AND qualifier = ?"}) {
    sqlite::Stmt erase(db, sql);
    erase.bind(1, function).bind(2, qualifier).run();
  }
}

}  // namespace lambdad::registry
