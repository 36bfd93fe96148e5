#include <nlohmann/json.hpp>

#include "stored_db.hpp"

namespace lambdad::registry {

namespace sqlite = store::sqlite;

void create_layer_tables(Db& db) {
  db.exec(R"sql(
CREATE TABLE IF NOT EXISTS registry_layer_versions (
  name        TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  settings    TEXT    NOT NULL,
  code_hex    TEXT    NOT NULL,
  code_sha256 TEXT    NOT NULL,
  code_size   INTEGER NOT NULL,
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (name, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS registry_layer_names (
  name         TEXT PRIMARY KEY,
  last_version INTEGER NOT NULL
) WITHOUT ROWID;
)sql");
}

std::map<std::string, std::map<int, LayerVersion>> load_layers(
    Db& db, const std::filesystem::path& code_root, std::map<std::string, int>& last) {
  std::map<std::string, std::map<int, LayerVersion>> layers;
  sqlite::Stmt select(db,
                      "SELECT name, version, settings, code_hex, code_sha256, code_size, "
                      "created_ms FROM registry_layer_versions");
  while (select.step()) {
    LayerVersion l;
    l.name = select.text(0);
    l.version = static_cast<int>(select.int64(1));
    const auto settings = nlohmann::json::parse(select.text(2));
    l.description = settings.value("Description", "");
    l.license_info = settings.value("LicenseInfo", "");
    l.compatible_runtimes = settings.value("CompatibleRuntimes", std::vector<std::string>{});
    l.compatible_architectures =
        settings.value("CompatibleArchitectures", std::vector<std::string>{});
    l.code_hex = select.text(3);
    l.code_sha256 = select.text(4);
    l.code_size = static_cast<uint64_t>(select.int64(5));
    l.created_ms = select.int64(6);
    l.dir = code_root / l.code_hex;
    layers[l.name][l.version] = std::move(l);
  }
  sqlite::Stmt names(db, "SELECT name, last_version FROM registry_layer_names");
  while (names.step()) last[names.text(0)] = static_cast<int>(names.int64(1));
  return layers;
}

void put_layer(Db& db, const LayerVersion& l) {
  sqlite::Transaction transaction(db, "BEGIN IMMEDIATE");
  const nlohmann::json settings = {
      {"Description", l.description},
      {"LicenseInfo", l.license_info},
      {"CompatibleRuntimes", l.compatible_runtimes},
      {"CompatibleArchitectures", l.compatible_architectures},
  };
  sqlite::Stmt insert(db,
                      "INSERT INTO registry_layer_versions (name, version, settings, code_hex, "
                      "code_sha256, code_size, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, l.name)
      .bind(2, static_cast<int64_t>(l.version))
      .bind(3, settings.dump())
      .bind(4, l.code_hex)
      .bind(5, l.code_sha256)
      .bind(6, static_cast<int64_t>(l.code_size))
      .bind(7, static_cast<int64_t>(l.created_ms))
      .run();
  sqlite::Stmt last(
      db,
      "INSERT INTO registry_layer_names (name, last_version) VALUES (?, ?) ON "
      "CONFLICT (name) DO UPDATE SET last_version = MAX(last_version, excluded.last_version)");
  last.bind(1, l.name).bind(2, static_cast<int64_t>(l.version)).run();
  transaction.commit();
}

void delete_layer(Db& db, const std::string& name, int version) {
  sqlite::Stmt erase(db, "DELETE FROM registry_layer_versions WHERE name = ? AND version = ?");
  erase.bind(1, name).bind(2, static_cast<int64_t>(version)).run();
}

}  // namespace lambdad::registry
