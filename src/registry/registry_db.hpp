#pragma once
// The API's functions as rows of the state dir's database (its own connection, used on the
// registry thread only). One row per function; its settings as the JSON of their API names.

#include <filesystem>
#include <string>
#include <vector>

#include "lambdad/registry/function_record.hpp"
#include "lambdad/store/sqlite.hpp"

namespace lambdad::registry {

class RegistryDb {
 public:
  /// Opens (or creates) the table. Throws store::sqlite::Error.
  explicit RegistryDb(const std::filesystem::path& file);

  /// Every row. `code_root` rebuilds each function's code folder from its code's hash.
  std::vector<FunctionRecord> load(const std::filesystem::path& code_root);
  /// Inserts or replaces the function's row, in one transaction.
  void put(const FunctionRecord& record);
  void remove(const std::string& name);
  /// The connection, for the stored operations' tables (stored_db.hpp).
  store::sqlite::Db& db() { return db_; }

 private:
  store::sqlite::Db db_;
};

/// The row's settings column and back (exposed for the unit tests).
std::string settings_json(const FunctionRecord& record);
void read_settings(const std::string& json, FunctionRecord& record);

}  // namespace lambdad::registry
