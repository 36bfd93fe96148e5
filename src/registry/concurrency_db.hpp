#pragma once
// Reservations set through the Lambda API (PutFunctionConcurrency / DeleteFunctionConcurrency) as
// rows of the registry's `registry_concurrency` table: one per function, template or API, the
// reservation NULL where a Delete lifted the template's own until its next deploy. Used on the
// registry thread only, on RegistryDb's connection.

#include <map>
#include <optional>
#include <string>

#include "lambdad/store/sqlite.hpp"

namespace lambdad::registry {

/// Creates the table if needed and reads every row. Throws store::sqlite::Error.
std::map<std::string, std::optional<int>> load_concurrency_rows(store::sqlite::Db& db);
void put_concurrency_row(store::sqlite::Db& db, const std::string& name,
                         std::optional<int> reserved);
void remove_concurrency_row(store::sqlite::Db& db, const std::string& name);

}  // namespace lambdad::registry
