// The embedded backend: one table in its own database file (queue.db), so the log writer's
// commits never wait for the queue's fsyncs or the other way round.

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include "lambdad/common/private_dir.hpp"
#include "lambdad/queue/backend.hpp"
#include "lambdad/store/sqlite.hpp"

namespace lambdad::queue {
namespace {

namespace sqlite = store::sqlite;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS queue_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  group_id TEXT NOT NULL DEFAULT '',
  enqueued_ms INTEGER NOT NULL,
  visible_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_received_ms INTEGER NOT NULL DEFAULT 0,
  lease INTEGER NOT NULL DEFAULT 0,
  leased INTEGER NOT NULL DEFAULT 0,
  state INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS queue_marks (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_messages_visible ON queue_messages(queue, state, visible_ms, seq);
CREATE INDEX IF NOT EXISTS queue_messages_group ON queue_messages(queue, group_id, seq)
  WHERE group_id <> '';
)sql";

constexpr const char* kColumns =
    "seq, queue, id, body, attributes, group_id, enqueued_ms, visible_ms, receive_count, "
    "first_received_ms, state, reason, lease";

Message read_message(const sqlite::Stmt& row) {
  Message m;
  m.seq = row.int64(0);
  m.queue = row.text(1);
  m.id = row.text(2);
  m.body = row.text(3);
  m.attributes = row.text(4);
  m.group_id = row.text(5);
  m.enqueued_ms = row.int64(6);
  m.visible_ms = row.int64(7);
  m.receive_count = static_cast<int>(row.int64(8));
  m.first_received_ms = row.int64(9);
  m.state = static_cast<State>(row.int64(10));
  m.reason = row.text(11);
  m.lease = row.int64(12);
  return m;
}

std::string select(const char* rest) {
  return std::string("SELECT ") + kColumns + " FROM queue_messages m " + rest;
}

/// The store's owner: recover() takes back every lease, which is only right when no other
/// process uses the file. An flock on `<file>.lock`, released by the kernel however the owner
/// ends (kill -9 included).
class OwnerLock {
 public:
  explicit OwnerLock(const std::filesystem::path& file) {
    const std::string path = file.string() + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd_);
      throw std::runtime_error(
          error == EWOULDBLOCK
              ? "another lambdad serve uses the state dir " + file.parent_path().string() +
                    " (its queue " + file.filename().string() +
                    " is locked): give each server its own --state-dir"
              : "cannot lock " + path + ": " + std::strerror(error));
    }
  }
  ~OwnerLock() { ::close(fd_); }
  OwnerLock(const OwnerLock&) = delete;
  OwnerLock& operator=(const OwnerLock&) = delete;

 private:
  int fd_ = -1;
};

class SqliteBackend final : public Backend {
 public:
  SqliteBackend(const std::filesystem::path& file, int64_t max_page_count)
      : lock_(prepare(file)), db_(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    db_.exec("PRAGMA busy_timeout = 5000");
    db_.scalar_text("PRAGMA journal_mode = WAL");
    // FULL: a commit is on disk before the 202 it answers leaves (NORMAL could lose the last
    // commits to a power cut, though not to kill -9).
    db_.exec("PRAGMA synchronous = FULL");
    if (max_page_count > 0) {
      db_.exec(("PRAGMA max_page_count = " + std::to_string(max_page_count)).c_str());
    }
    db_.exec(kSchema);
    insert_.emplace(db_,
                    "INSERT INTO queue_messages (queue, id, body, attributes, group_id, "
                    "enqueued_ms, visible_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    true);
    lease_select_.emplace(
        db_,
        select("WHERE queue = ?1 AND state = 0 AND visible_ms <= ?2 AND (group_id = '' OR NOT "
               "EXISTS (SELECT 1 FROM queue_messages g WHERE g.queue = m.queue AND g.group_id = "
               "m.group_id AND g.state = 0 AND (g.seq < m.seq OR (g.leased = 1 AND g.visible_ms "
               "> ?2)))) ORDER BY visible_ms, seq LIMIT ?3"),
        true);
    lease_update_.emplace(
        db_,
        "UPDATE queue_messages SET visible_ms = ?2, receive_count = receive_count + 1, lease = "
        "lease + 1, leased = 1, first_received_ms = CASE WHEN first_received_ms = 0 THEN ?3 "
        "ELSE first_received_ms END WHERE seq = ?1",
        true);
    remove_.emplace(db_, "DELETE FROM queue_messages WHERE seq = ?1 AND lease = ?2 AND state = 0",
                    true);
    release_.emplace(
        db_,
        "UPDATE queue_messages SET visible_ms = ?3, leased = 0, attributes = coalesce(?4, "
        "attributes), receive_count = receive_count - ?5 WHERE seq = ?1 AND lease = ?2 AND "
        "state = 0",
        true);
    park_.emplace(db_,
                  "UPDATE queue_messages SET state = 1, leased = 0, reason = ?3, attributes = "
                  "coalesce(?4, attributes) WHERE seq = ?1 AND lease = ?2 AND state = 0",
                  true);
  }

  void begin() override { db_.exec("BEGIN IMMEDIATE"); }
  void commit() override { db_.exec("COMMIT"); }
  void rollback() override {
    if (!sqlite3_get_autocommit(db_.get())) db_.exec("ROLLBACK");
  }

  void recover(int64_t now_ms) override {
    sqlite::Stmt stmt(db_,
                      "UPDATE queue_messages SET visible_ms = ?1, leased = 0 WHERE leased = 1 AND "
                      "visible_ms > ?1");
    stmt.bind(1, now_ms).run();
  }

  int64_t insert(const NewMessage& m, int64_t now_ms) override {
    insert_->bind(1, m.queue)
        .bind(2, m.id)
        .bind(3, m.body)
        .bind(4, m.attributes.empty() ? std::string_view("{}") : std::string_view(m.attributes))
        .bind(5, m.group_id)
        .bind(6, now_ms)
        .bind(7, m.visible_ms)
        .run();
    return sqlite3_last_insert_rowid(db_.get());
  }

  std::vector<Message> lease(const std::string& queue, size_t max, int64_t now_ms,
                             int64_t until_ms) override {
    std::vector<Message> leased;
    lease_select_->bind(1, queue).bind(2, now_ms).bind(3, static_cast<int64_t>(max));
    try {
      while (lease_select_->step()) leased.push_back(read_message(*lease_select_));
    } catch (...) {
      lease_select_->reset();
      throw;
    }
    lease_select_->reset();
    for (Message& m : leased) {
      lease_update_->bind(1, m.seq).bind(2, until_ms).bind(3, now_ms).run();
      m.visible_ms = until_ms;
      m.receive_count += 1;
      m.lease += 1;
      if (m.first_received_ms == 0) m.first_received_ms = now_ms;
    }
    return leased;
  }

  bool remove(const Receipt& r) override {
    remove_->bind(1, r.seq).bind(2, r.lease).run();
    return changed();
  }

  bool release(const Receipt& r, int64_t visible_ms, const std::optional<std::string>& attributes,
               bool not_an_attempt) override {
    release_->bind(1, r.seq).bind(2, r.lease).bind(3, visible_ms);
    if (attributes) {
      release_->bind(4, *attributes);
    } else {
      release_->bind_null(4);
    }
    release_->bind(5, int64_t{not_an_attempt ? 1 : 0}).run();
    return changed();
  }

  bool park(const Receipt& r, const std::string& reason,
            const std::optional<std::string>& attributes) override {
    park_->bind(1, r.seq).bind(2, r.lease).bind(3, reason);
    if (attributes) {
      park_->bind(4, *attributes);
    } else {
      park_->bind_null(4);
    }
    park_->run();
    return changed();
  }

  int64_t unpark(const std::string& queue, std::span<const int64_t> seqs, int64_t now_ms) override {
    const char* sql =
        "UPDATE queue_messages SET state = 0, leased = 0, visible_ms = ?2, reason = '' WHERE "
        "queue = ?1 AND state = 1 AND (?3 = 0 OR seq = ?3)";
    sqlite::Stmt stmt(db_, sql);
    int64_t moved = 0;
    const int64_t all = 0;
    for (size_t i = 0; i < std::max<size_t>(seqs.size(), 1); ++i) {
      stmt.bind(1, queue).bind(2, now_ms).bind(3, seqs.empty() ? all : seqs[i]).run();
      moved += sqlite3_changes(db_.get());
    }
    return moved;
  }

  int64_t purge(const std::string& queue, State state) override {
    sqlite::Stmt stmt(db_, "DELETE FROM queue_messages WHERE queue = ?1 AND state = ?2");
    stmt.bind(1, queue).bind(2, static_cast<int64_t>(state)).run();
    return sqlite3_changes(db_.get());
  }

  void set_mark(const std::string& key, int64_t value) override {
    sqlite::Stmt stmt(db_,
                      "INSERT INTO queue_marks (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO "
                      "UPDATE SET value = excluded.value");
    stmt.bind(1, key).bind(2, value).run();
  }

  std::map<std::string, int64_t> marks(const std::string& prefix) override {
    sqlite::Stmt stmt(db_, "SELECT key, value FROM queue_marks WHERE substr(key, 1, ?2) = ?1");
    stmt.bind(1, prefix).bind(2, static_cast<int64_t>(prefix.size()));
    std::map<std::string, int64_t> found;
    while (stmt.step()) found.emplace(stmt.text(0), stmt.int64(1));
    return found;
  }

  std::optional<int64_t> next_visible(const std::string& queue) override {
    sqlite::Stmt stmt(db_,
                      "SELECT min(visible_ms) FROM queue_messages WHERE queue = ?1 AND state = 0");
    stmt.bind(1, queue);
    if (!stmt.step() || stmt.is_null(0)) return std::nullopt;
    return stmt.int64(0);
  }

  Counts counts(const std::string& queue) override {
    sqlite::Stmt stmt(
        db_,
        "SELECT count(*) FILTER (WHERE state = 0), count(*) FILTER (WHERE state = 0 AND leased = "
        "1), count(*) FILTER (WHERE state = 1), coalesce(sum(length(CAST(body AS BLOB)) + "
        "length(CAST(attributes AS BLOB))) FILTER (WHERE state = 0), 0), coalesce(min(enqueued_ms) "
        "FILTER (WHERE state = 0), 0) FROM queue_messages WHERE queue = ?1");
    stmt.bind(1, queue);
    Counts c;
    if (stmt.step()) {
      c = {.ready = stmt.int64(0),
           .leased = stmt.int64(1),
           .parked = stmt.int64(2),
           .bytes = stmt.int64(3),
           .oldest_enqueued_ms = stmt.int64(4)};
    }
    return c;
  }

  std::vector<Message> list(const std::string& queue, State state, size_t limit,
                            int64_t after_seq) override {
    sqlite::Stmt stmt(db_,
                      select("WHERE queue = ?1 AND state = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4"));
    stmt.bind(1, queue)
        .bind(2, static_cast<int64_t>(state))
        .bind(3, after_seq)
        .bind(4, static_cast<int64_t>(limit));
    std::vector<Message> found;
    while (stmt.step()) found.push_back(read_message(stmt));
    return found;
  }

 private:
  static const std::filesystem::path& prepare(const std::filesystem::path& file) {
    if (file.has_parent_path()) create_private_dirs(file.parent_path());
    return file;
  }
  bool changed() { return sqlite3_changes(db_.get()) > 0; }

  OwnerLock lock_;
  sqlite::Db db_;
  std::optional<sqlite::Stmt> insert_, lease_select_, lease_update_, remove_, release_, park_;
};

}  // namespace

std::unique_ptr<Backend> open_sqlite(const std::filesystem::path& file, int64_t max_page_count) {
  return std::make_unique<SqliteBackend>(file, max_page_count);
}

}  // namespace lambdad::queue
