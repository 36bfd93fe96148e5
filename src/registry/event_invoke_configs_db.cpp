#include <nlohmann/json.hpp>

#include "stored_db.hpp"

namespace lambdad::registry {

namespace sqlite = store::sqlite;

nlohmann::json event_invoke_config_json(const EventInvokeConfig& c) {
  nlohmann::json json = nlohmann::json::object();
  if (c.maximum_retry_attempts) json["MaximumRetryAttempts"] = *c.maximum_retry_attempts;
  if (c.maximum_event_age_s) json["MaximumEventAgeInSeconds"] = *c.maximum_event_age_s;
  nlohmann::json on_success = nlohmann::json::object();
  nlohmann::json on_failure = nlohmann::json::object();
  if (c.on_success) on_success["Destination"] = *c.on_success;
  if (c.on_failure) on_failure["Destination"] = *c.on_failure;
  json["DestinationConfig"] = {{"OnSuccess", on_success}, {"OnFailure", on_failure}};
  return json;
}

EventInvokeConfig read_event_invoke_config(const nlohmann::json& json) {
  EventInvokeConfig c;
  if (!json.is_object()) return c;
  const auto number = [&](const char* key) -> std::optional<int> {
    auto it = json.find(key);
    if (it == json.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int>();
  };
  const auto destination = [&](const char* key) -> std::optional<std::string> {
    auto config = json.find("DestinationConfig");
    if (config == json.end() || !config->is_object()) return std::nullopt;
    auto side = config->find(key);
    if (side == config->end() || !side->is_object()) return std::nullopt;
    auto arn = side->find("Destination");
    if (arn == side->end() || !arn->is_string()) return std::nullopt;
    return arn->get<std::string>();
  };
  c.maximum_retry_attempts = number("MaximumRetryAttempts");
  c.maximum_event_age_s = number("MaximumEventAgeInSeconds");
  c.on_success = destination("OnSuccess");
  c.on_failure = destination("OnFailure");
  return c;
}

void create_event_invoke_config_table(Db& db) {
  db.exec(R"sql(
CREATE TABLE IF NOT EXISTS registry_event_invoke_configs (
  function         TEXT    NOT NULL,
  qualifier        TEXT    NOT NULL,
  config           TEXT    NOT NULL,
  last_modified_ms INTEGER NOT NULL,
  PRIMARY KEY (function, qualifier)
) WITHOUT ROWID;
)sql");
}

std::map<std::pair<std::string, std::string>, EventInvokeConfig> load_event_invoke_configs(Db& db) {
  std::map<std::pair<std::string, std::string>, EventInvokeConfig> configs;
  sqlite::Stmt select(db,
                      "SELECT function, qualifier, config, last_modified_ms FROM "
                      "registry_event_invoke_configs");
  while (select.step()) {
    EventInvokeConfig c = read_event_invoke_config(nlohmann::json::parse(select.text(2)));
    c.last_modified_ms = select.int64(3);
    configs[{select.text(0), select.text(1)}] = c;
  }
  return configs;
}

void put_event_invoke_config(Db& db, const std::string& function, const std::string& qualifier,
                             const std::optional<EventInvokeConfig>& config) {
  if (!config) {
    sqlite::Stmt erase(
        db, "DELETE FROM registry_event_invoke_configs WHERE function = ? AND qualifier = ?");
    erase.bind(1, function).bind(2, qualifier).run();
    return;
  }
  sqlite::Stmt insert(db,
                      "INSERT OR REPLACE INTO registry_event_invoke_configs (function, qualifier, "
                      "config, last_modified_ms) VALUES (?, ?, ?, ?)");
  insert.bind(1, function)
      .bind(2, qualifier)
      .bind(3, event_invoke_config_json(*config).dump())
      .bind(4, static_cast<int64_t>(config->last_modified_ms))
      .run();
}

}  // namespace lambdad::registry
