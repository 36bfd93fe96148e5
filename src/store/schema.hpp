#pragma once
/// @brief The store's schema and connection settings, shared by the writer and the readers.

#include "lambdad/store/sqlite.hpp"

namespace lambdad::store::schema {

/// `PRAGMA user_version` of the newest schema this build knows.
inline constexpr int kVersion = 3;

/// Writer side: WAL, synchronous=NORMAL, busy_timeout; creates or migrates the schema.
/// Throws std::runtime_error when the file holds a newer schema than kVersion.
void prepare_for_writing(sqlite::Db& db);

/// Reader side: busy_timeout and a version check. Returns false when the file has no schema yet
/// (created but never written by a server), so readers can treat it as empty.
bool prepare_for_reading(sqlite::Db& db);

}  // namespace lambdad::store::schema
