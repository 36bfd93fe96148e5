#pragma once
// The stored operations' tables in the state dir's database (the registry's connection, on the
// registry thread only). Each group's table is made by its own code, IF NOT EXISTS, as
// registry_functions is; values are the JSON of their API names. Throw store::sqlite::Error.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "lambdad/registry/provisioned.hpp"
#include "lambdad/registry/stored_records.hpp"
#include "lambdad/store/sqlite.hpp"

namespace lambdad::registry {

using TagMap = std::map<std::string, std::string>;
using store::sqlite::Db;

// tags_db.cpp: the API's tags on template functions.
void create_tag_table(Db& db);
std::map<std::string, TagMap> load_api_tags(Db& db);
/// Empty `tags`: the row goes.
void put_api_tags(Db& db, const std::string& function, const TagMap& tags);

// policies_db.cpp
void create_policy_table(Db& db);
std::map<std::pair<std::string, std::string>, Policy> load_policies(Db& db);
/// No statements: the row goes.
void put_policy(Db& db, const std::string& function, const std::string& qualifier,
                const Policy& policy);

// event_invoke_configs_db.cpp
void create_event_invoke_config_table(Db& db);
std::map<std::pair<std::string, std::string>, EventInvokeConfig> load_event_invoke_configs(Db& db);
/// nullopt: the row goes.
void put_event_invoke_config(Db& db, const std::string& function, const std::string& qualifier,
                             const std::optional<EventInvokeConfig>& config);

// layers_db.cpp
void create_layer_tables(Db& db);
/// Published versions, their `dir` under `code_root`; `last` gets each name's highest version.
std::map<std::string, std::map<int, LayerVersion>> load_layers(
    Db& db, const std::filesystem::path& code_root, std::map<std::string, int>& last);
/// Inserts the version and raises the name's highest version, in one transaction.
void put_layer(Db& db, const LayerVersion& layer);
void delete_layer(Db& db, const std::string& name, int version);

// provisioned_db.cpp
void create_provisioned_table(Db& db);
/// By (function, qualifier); `shares` left empty.
std::map<std::pair<std::string, std::string>, ProvisionedConfig> load_provisioned(Db& db);
/// nullopt: the row goes.
void put_provisioned(Db& db, const std::string& function, const std::string& qualifier,
                     const std::optional<ProvisionedConfig>& config);

/// A function deleted: its tags, policies, event invoke configs and provisioned concurrency
/// configs go, in one transaction.
void forget_function(Db& db, const std::string& function);
/// A version or alias deleted: its policy, event invoke config and provisioned concurrency config
/// go (no transaction of its own:
/// the caller's, with the version's or alias's row).
void forget_qualifier(Db& db, const std::string& function, const std::string& qualifier);

}  // namespace lambdad::registry
