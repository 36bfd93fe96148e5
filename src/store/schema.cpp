#include "schema.hpp"

#include <stdexcept>
#include <string>

namespace lambdad::store::schema {
namespace {

constexpr int kBusyTimeoutMs = 5000;

/// migrations[v] takes a database from user_version v to v + 1. Append only: released files
/// must be upgradable in place.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE log_events (
  id           INTEGER PRIMARY KEY,
  function     TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  log_stream   TEXT    NOT NULL,
  request_id   TEXT    NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  ingestion_ms INTEGER NOT NULL,
  message      TEXT    NOT NULL
);
CREATE INDEX log_events_by_time ON log_events (function, timestamp_ms);
CREATE INDEX log_events_by_id ON log_events (function, id);

-- One row per log stream, kept up to date by the writer, so listing groups and streams never
-- scans the events.
CREATE TABLE log_streams (
  function          TEXT    NOT NULL,
  log_stream        TEXT    NOT NULL,
  creation_ms       INTEGER NOT NULL,
  first_ms          INTEGER NOT NULL,
  last_ms           INTEGER NOT NULL,
  last_ingestion_ms INTEGER NOT NULL,
  stored_bytes      INTEGER NOT NULL,
  PRIMARY KEY (function, log_stream)
) WITHOUT ROWID;

CREATE TABLE invocations (
  request_id         TEXT PRIMARY KEY,
  function           TEXT    NOT NULL,
  version            TEXT    NOT NULL,
  invocation_type    TEXT    NOT NULL,
  log_stream         TEXT    NOT NULL,
  start_ms           INTEGER NOT NULL,
  duration_ms        REAL    NOT NULL,
  billed_ms          INTEGER NOT NULL,
  init_duration_ms   REAL,
  memory_size_mb     INTEGER NOT NULL,
  max_memory_used_mb INTEGER NOT NULL,
  cold               INTEGER NOT NULL,
  outcome            TEXT    NOT NULL,
  error_type         TEXT    NOT NULL
);
CREATE INDEX invocations_by_time ON invocations (function, start_ms);
)sql",
    // v2: one row per attempt, without the request-id primary key. Random ids made each insert
    // dirty its own page of that index: at 20k calls/s the writer spent most of its time (and a
    // core's third) writing those pages to the WAL. An async retry now adds its own row, as it
    // adds its own START/END/REPORT lines.
    R"sql(
CREATE TABLE invocations_v2 (
  request_id         TEXT    NOT NULL,
  function           TEXT    NOT NULL,
  version            TEXT    NOT NULL,
  invocation_type    TEXT    NOT NULL,
  log_stream         TEXT    NOT NULL,
  start_ms           INTEGER NOT NULL,
  duration_ms        REAL    NOT NULL,
  billed_ms          INTEGER NOT NULL,
  init_duration_ms   REAL,
  memory_size_mb     INTEGER NOT NULL,
  max_memory_used_mb INTEGER NOT NULL,
  cold               INTEGER NOT NULL,
  outcome            TEXT    NOT NULL,
  error_type         TEXT    NOT NULL
);
INSERT INTO invocations_v2 SELECT request_id, function, version, invocation_type, log_stream,
  start_ms, duration_ms, billed_ms, init_duration_ms, memory_size_mb, max_memory_used_mb, cold,
  outcome, error_type FROM invocations ORDER BY start_ms;
DROP TABLE invocations;
ALTER TABLE invocations_v2 RENAME TO invocations;
CREATE INDEX invocations_by_time ON invocations (function, start_ms);
)sql",
    // v3: following in commit order walks the rowid from a recent id instead of a third index,
    // which every log line paid for at insert; each stream keeps its newest id instead.
    R"sql(
ALTER TABLE log_streams ADD COLUMN last_id INTEGER NOT NULL DEFAULT 0;
UPDATE log_streams SET last_id = coalesce((SELECT max(id) FROM log_events e
  WHERE e.function = log_streams.function AND e.log_stream = log_streams.log_stream), 0);
DROP INDEX log_events_by_id;
)sql",
};
static_assert(std::size(kMigrations) == kVersion);

int user_version(sqlite::Db& db) {
  return static_cast<int>(db.scalar("PRAGMA user_version"));
}

void check_not_newer(sqlite::Db& db, int version) {
  if (version > kVersion) {
    throw std::runtime_error("sqlite: " + db.file().string() + " has schema version " +
                             std::to_string(version) + ", newer than this lambdad supports (" +
                             std::to_string(kVersion) + ")");
  }
}

void migrate(sqlite::Db& db) {
  // IMMEDIATE: two servers starting on one state dir must not both migrate.
  sqlite::Transaction tx(db, "BEGIN IMMEDIATE");
  const int from = user_version(db);
  check_not_newer(db, from);
  for (int v = from; v < kVersion; ++v) db.exec(kMigrations[v]);
  db.exec(("PRAGMA user_version = " + std::to_string(kVersion)).c_str());
  tx.commit();
}

}  // namespace

void prepare_for_writing(sqlite::Db& db) {
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  if (db.scalar_text("PRAGMA journal_mode = WAL") != "wal") {
    throw std::runtime_error("sqlite: cannot switch " + db.file().string() + " to WAL mode");
  }
  db.exec("PRAGMA synchronous = NORMAL");
  // A burst (a log flood, a long reader holding the checkpoint back) grows the WAL; without a
  // limit the file keeps that size for good. This cuts it back when the WAL next restarts.
  db.exec("PRAGMA journal_size_limit = 67108864");
  // Reads through a mapping instead of pread() copies: the writer's index look-ups touch pages
  // all over the file, which missed SQLite's 2 MB page cache at every commit.
  db.exec("PRAGMA mmap_size = 268435456");
  if (user_version(db) != kVersion) migrate(db);
}

bool prepare_for_reading(sqlite::Db& db) {
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  const int version = user_version(db);
  check_not_newer(db, version);
  return version == kVersion;
}

}  // namespace lambdad::store::schema
