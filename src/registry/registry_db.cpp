#include "registry_db.hpp"

#include <nlohmann/json.hpp>

namespace lambdad::registry {
namespace {

namespace sqlite = store::sqlite;

// IF NOT EXISTS: the store's migrations own the database's user_version; this table is the
// registry's and only grows columns through new tables.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS registry_functions (
  name             TEXT PRIMARY KEY,
  settings         TEXT    NOT NULL,
  code_hex         TEXT    NOT NULL,
  code_sha256      TEXT    NOT NULL,
  code_size        INTEGER NOT NULL,
  revision_id      TEXT    NOT NULL,
  last_modified_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

}  // namespace

std::string settings_json(const FunctionRecord& record) {
  const FunctionConfig& c = record.config;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : c.layers) layers.push_back(layer.string());
  return nlohmann::json{
      {"Runtime", c.runtime},
      {"Handler", c.handler},
      {"Role", record.role},
      {"Description", c.description},
      {"MemorySize", c.memory_mb},
      {"Timeout", c.timeout_s},
      {"EphemeralStorage", c.ephemeral_storage_mb},
      {"Environment", c.environment},
      {"Architectures", c.architectures},
      {"LayerArns", record.layer_arns},
      {"LayerFolders", layers},
      {"Tags", record.tags},
      // What a template function's published version keeps of its template settings.
      {"LogicalId", c.logical_id},
      {"CodeSource", c.code_source},
      {"LogFormat", c.log_format},
      {"ApplicationLogLevel", c.application_log_level},
      {"Network", c.network ? nlohmann::json(*c.network) : nlohmann::json()},
  }
      .dump();
}

void read_settings(const std::string& text, FunctionRecord& record) {
  const auto json = nlohmann::json::parse(text);
  FunctionConfig& c = record.config;
  c.runtime = json.value("Runtime", "");
  c.handler = json.value("Handler", "");
  record.role = json.value("Role", "");
  c.description = json.value("Description", "");
  c.memory_mb = json.value("MemorySize", 128);
  c.timeout_s = json.value("Timeout", 3);
  c.ephemeral_storage_mb = json.value("EphemeralStorage", 512);
  c.environment = json.value("Environment", std::map<std::string, std::string>{});
  c.architectures = json.value("Architectures", std::vector<std::string>{"x86_64"});
  record.layer_arns = json.value("LayerArns", std::vector<std::string>{});
  c.layers.clear();
  for (const auto& folder : json.value("LayerFolders", std::vector<std::string>{})) {
    c.layers.emplace_back(folder);
  }
  record.tags = json.value("Tags", std::map<std::string, std::string>{});
  c.logical_id = json.value("LogicalId", c.logical_id);
  c.code_source = json.value("CodeSource", c.code_source);
  c.log_format = json.value("LogFormat", "");
  c.application_log_level = json.value("ApplicationLogLevel", "");
  if (const auto network = json.find("Network"); network != json.end() && network->is_boolean()) {
    c.network = network->get<bool>();
  }
}

RegistryDb::RegistryDb(const std::filesystem::path& file)
    : db_(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
  db_.exec("PRAGMA busy_timeout = 5000");
  db_.exec(kSchema);
  create_published_tables();
}

std::vector<FunctionRecord> RegistryDb::load(const std::filesystem::path& code_root) {
  std::vector<FunctionRecord> records;
  sqlite::Stmt select(db_,
                      "SELECT name, settings, code_hex, code_sha256, code_size, revision_id, "
                      "last_modified_ms FROM registry_functions ORDER BY name");
  while (select.step()) {
    FunctionRecord& r = records.emplace_back();
    r.origin = Origin::kApi;
    r.config.name = select.text(0);
    r.config.logical_id = r.config.name;
    read_settings(select.text(1), r);
    r.code_hex = select.text(2);
    r.code_sha256 = select.text(3);
    r.code_size = static_cast<uint64_t>(select.int64(4));
    r.revision_id = select.text(5);
    r.last_modified_ms = select.int64(6);
    r.config.code_dir = code_root / r.code_hex;
    r.config.code_source = "Code.ZipFile";
  }
  return records;
}

void RegistryDb::put(const FunctionRecord& r) {
  sqlite::Transaction transaction(db_, "BEGIN IMMEDIATE");
  sqlite::Stmt insert(db_,
                      "INSERT OR REPLACE INTO registry_functions (name, settings, code_hex, "
                      "code_sha256, code_size, revision_id, last_modified_ms) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, r.config.name)
      .bind(2, settings_json(r))
      .bind(3, r.code_hex)
      .bind(4, r.code_sha256)
      .bind(5, static_cast<int64_t>(r.code_size))
      .bind(6, r.revision_id)
      .bind(7, static_cast<int64_t>(r.last_modified_ms));
  insert.run();
  transaction.commit();
}

void RegistryDb::remove(const std::string& name) {
  sqlite::Transaction transaction(db_, "BEGIN IMMEDIATE");
  for (const char* table :
       {"registry_functions WHERE name", "registry_versions WHERE function",
        "registry_aliases WHERE function", "registry_version_numbers WHERE function"}) {
    sqlite::Stmt erase(db_, std::string("DELETE FROM ") + table + " = ?");
    erase.bind(1, name).run();
  }
  transaction.commit();
}

}  // namespace lambdad::registry
