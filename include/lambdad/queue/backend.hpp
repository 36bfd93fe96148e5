#pragma once
/// @brief The queue engine's storage, one implementation per backend.
///
/// The engine calls a backend from its one thread only, every call between begin() and commit()
/// (or rollback()): a batch of callers' operations is one transaction, so one fsync serves them
/// all (group commit). The embedded backend is SQLite (open_sqlite). A backend on a shared
/// database (Postgres: `SELECT … FOR UPDATE SKIP LOCKED` in lease()) would let several lambdad
/// nodes share queues; recover() is where a single node may take back every lease at start, which
/// a shared backend must not do (its leases expire instead: `visible_ms`).

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lambdad/queue/message.hpp"

namespace lambdad::queue {

class Backend {
 public:
  virtual ~Backend() = default;

  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;

  /// At start, on a store only this process uses: every lease a previous run held ends, and the
  /// message is ready at once.
  virtual void recover(int64_t now_ms) = 0;

  /// Stores it; returns its seq.
  virtual int64_t insert(const NewMessage& message, int64_t now_ms) = 0;
  /// Up to `max` ready messages of `queue` visible at `now_ms`, oldest visible first, each leased
  /// until `until_ms` (receive count + 1, a new receipt). A FIFO group (group_id) with a message
  /// leased gives none, and gives at most its oldest one.
  virtual std::vector<Message> lease(const std::string& queue, size_t max, int64_t now_ms,
                                     int64_t until_ms) = 0;
  /// Deletes a leased message; false when the receipt no longer holds.
  virtual bool remove(const Receipt& receipt) = 0;
  /// Ends a lease, the message visible again at `visible_ms` with `attributes` when given.
  /// `not_an_attempt` takes the lease back from the receive count (a shutdown cut it off).
  virtual bool release(const Receipt& receipt, int64_t visible_ms,
                       const std::optional<std::string>& attributes, bool not_an_attempt) = 0;
  /// Moves a leased message to State::kParked with `reason` (and `attributes` when given).
  virtual bool park(const Receipt& receipt, const std::string& reason,
                    const std::optional<std::string>& attributes) = 0;
  /// Parked messages of `queue` back to ready, visible at `now_ms`: those of `seqs`, or all
  /// when it is empty. Returns how many.
  virtual int64_t unpark(const std::string& queue, std::span<const int64_t> seqs,
                         int64_t now_ms) = 0;
  /// Deletes the messages of `queue` in `state`, leased ones included; returns how many.
  virtual int64_t purge(const std::string& queue, State state) = 0;

  /// Marks: named integers written in the same transactions as messages, so that what a producer
  /// has enqueued up to (a schedule's last fire) and the messages themselves never disagree.
  virtual void set_mark(const std::string& key, int64_t value) = 0;
  /// Every mark whose key starts with `prefix`.
  virtual std::map<std::string, int64_t> marks(const std::string& prefix) = 0;

  /// When the next ready message of `queue` that is not leased becomes visible; none when empty.
  virtual std::optional<int64_t> next_visible(const std::string& queue) = 0;
  virtual Counts counts(const std::string& queue) = 0;
  /// Messages of `queue` in `state` with seq > `after_seq`, in seq order, at most `limit`.
  virtual std::vector<Message> list(const std::string& queue, State state, size_t limit,
                                    int64_t after_seq) = 0;
};

/// The embedded backend: `file` (created with its folder), WAL, fsync at every commit.
/// `max_page_count` > 0 caps its size (tests of a full disk). Throws store::sqlite::Error.
std::unique_ptr<Backend> open_sqlite(const std::filesystem::path& file, int64_t max_page_count = 0);

}  // namespace lambdad::queue
