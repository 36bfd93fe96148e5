// RegistryDb's published versions and aliases (registry_db.hpp).

#include <nlohmann/json.hpp>

#include "registry_db.hpp"

namespace lambdad::registry {
namespace {

namespace sqlite = store::sqlite;

// registry_version_numbers keeps the highest number a function published: Lambda never gives a
// number twice, also after the version is deleted.
constexpr const char* kPublishedSchema = R"sql(
CREATE TABLE IF NOT EXISTS registry_versions (
  function         TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  settings         TEXT    NOT NULL,
  code_hex         TEXT    NOT NULL,
  code_sha256      TEXT    NOT NULL,
  code_size        INTEGER NOT NULL,
  revision_id      TEXT    NOT NULL,
  last_modified_ms INTEGER NOT NULL,
  PRIMARY KEY (function, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS registry_aliases (
  function    TEXT NOT NULL,
  name        TEXT NOT NULL,
  settings    TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  PRIMARY KEY (function, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS registry_version_numbers (
  function TEXT PRIMARY KEY,
  last     INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

std::string alias_json(const AliasRecord& alias) {
  return nlohmann::json{{"FunctionVersion", alias.function_version},
                        {"Description", alias.description},
                        {"AdditionalVersionWeights", alias.weights}}
      .dump();
}

}  // namespace

void RegistryDb::create_published_tables() {
  db_.exec(kPublishedSchema);
}

RegistryDb::Published RegistryDb::load_published(const std::filesystem::path& code_root) {
  Published published;
  sqlite::Stmt versions(db_,
                        "SELECT function, version, settings, code_hex, code_sha256, code_size, "
                        "revision_id, last_modified_ms FROM registry_versions "
                        "ORDER BY function, version");
  while (versions.step()) {
    FunctionRecord& r = published.versions.emplace_back();
    r.config.name = versions.text(0);
    r.config.logical_id = r.config.name;
    r.version = std::to_string(versions.int64(1));
    read_settings(versions.text(2), r);
    r.code_hex = versions.text(3);
    r.code_sha256 = versions.text(4);
    r.code_size = static_cast<uint64_t>(versions.int64(5));
    r.revision_id = versions.text(6);
    r.last_modified_ms = versions.int64(7);
    r.config.code_dir = code_root / r.code_hex;
  }
  sqlite::Stmt aliases(db_,
                       "SELECT function, name, settings, revision_id FROM registry_aliases "
                       "ORDER BY function, name");
  while (aliases.step()) {
    AliasRecord& a = published.aliases.emplace_back();
    a.function = aliases.text(0);
    a.name = aliases.text(1);
    const auto json = nlohmann::json::parse(aliases.text(2));
    a.function_version = json.value("FunctionVersion", "$LATEST");
    a.description = json.value("Description", "");
    a.weights = json.value("AdditionalVersionWeights", std::map<std::string, double>{});
    a.revision_id = aliases.text(3);
  }
  sqlite::Stmt numbers(db_, "SELECT function, last FROM registry_version_numbers");
  while (numbers.step()) {
    published.last_version[numbers.text(0)] = static_cast<int>(numbers.int64(1));
  }
  return published;
}

void RegistryDb::put_version(const FunctionRecord& r, int last_version) {
  sqlite::Transaction transaction(db_, "BEGIN IMMEDIATE");
  sqlite::Stmt insert(db_,
                      "INSERT INTO registry_versions (function, version, settings, code_hex, "
                      "code_sha256, code_size, revision_id, last_modified_ms) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, r.config.name)
      .bind(2, static_cast<int64_t>(std::stoll(r.version)))
      .bind(3, settings_json(r))
      .bind(4, r.code_hex)
      .bind(5, r.code_sha256)
      .bind(6, static_cast<int64_t>(r.code_size))
      .bind(7, r.revision_id)
      .bind(8, static_cast<int64_t>(r.last_modified_ms));
  insert.run();
  sqlite::Stmt counter(db_,
                       "INSERT OR REPLACE INTO registry_version_numbers (function, last) "
                       "VALUES (?, ?)");
  counter.bind(1, r.config.name).bind(2, static_cast<int64_t>(last_version)).run();
  transaction.commit();
}

void RegistryDb::remove_version(const std::string& function, const std::string& version) {
  sqlite::Stmt erase(db_, "DELETE FROM registry_versions WHERE function = ? AND version = ?");
  erase.bind(1, function).bind(2, static_cast<int64_t>(std::stoll(version))).run();
}

void RegistryDb::put_alias(const AliasRecord& alias) {
  sqlite::Stmt insert(db_,
                      "INSERT OR REPLACE INTO registry_aliases (function, name, settings, "
                      "revision_id) VALUES (?, ?, ?, ?)");
  insert.bind(1, alias.function)
      .bind(2, alias.name)
      .bind(3, alias_json(alias))
      .bind(4, alias.revision_id)
      .run();
}

void RegistryDb::remove_alias(const std::string& function, const std::string& name) {
  sqlite::Stmt erase(db_, "DELETE FROM registry_aliases WHERE function = ? AND name = ?");
  erase.bind(1, function).bind(2, name).run();
}

}  // namespace lambdad::registry
