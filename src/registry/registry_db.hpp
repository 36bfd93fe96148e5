#pragma once
// The API's functions, and every function's published versions and aliases, as rows of the
// state dir's database (its own connection, used on the registry thread only). One row per
// function, version or alias; settings as the JSON of their API names. Versions and aliases are
// defined in versions_db.cpp.

#include <filesystem>
#include <map>
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
  /// Removes the function's row, its versions, aliases and version counter, in one transaction.
  void remove(const std::string& name);
  /// The connection, for the stored operations' tables (stored_db.hpp).
  store::sqlite::Db& db() { return db_; }

  struct Published {
    std::vector<FunctionRecord> versions;
    std::vector<AliasRecord> aliases;
    std::map<std::string, int> last_version;  ///< function → the highest number it published
  };
  Published load_published(const std::filesystem::path& code_root);
  /// A new version and the function's counter, in one transaction.
  void put_version(const FunctionRecord& version, int last_version);
  void remove_version(const std::string& function, const std::string& version);
  void put_alias(const AliasRecord& alias);
  void remove_alias(const std::string& function, const std::string& name);

 private:
  void create_published_tables();

  store::sqlite::Db db_;
};

/// The row's settings column and back (exposed for the unit tests).
std::string settings_json(const FunctionRecord& record);
void read_settings(const std::string& json, FunctionRecord& record);

}  // namespace lambdad::registry
