// Store: producers queue rows under a mutex and return; one thread commits them in batches.
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "batch_writer.hpp"
#include "lambdad/store/sqlite.hpp"

namespace lambdad::store {
namespace {

// A batch per ~10 ms keeps commit latency invisible to `logs --follow` while amortising the
// fsync-free WAL commit over many rows; 2,000 rows bounds a transaction under a flood.
constexpr auto kBatchInterval = std::chrono::milliseconds(10);
constexpr size_t kBatchRows = 2000;
constexpr int kWriteAttempts = 3;

using Clock = std::chrono::steady_clock;

/// What the writer did with one batch.
struct Written {
  size_t rows = 0;            ///< items committed
  size_t log_lines_lost = 0;  ///< log events, and END / REPORT lines of records, not stored
  size_t records_lost = 0;    ///< invocation records not stored
  size_t rows_lost = 0;       ///< items not stored (a record stored without its lines is not)
};

/// The reserve file: room on the state disk that only invocation records may use, given back
/// (deleted) when the disk fills.
class Reserve {
 public:
  Reserve(std::filesystem::path file, uint64_t bytes) : file_(std::move(file)), bytes_(bytes) {}

  bool enabled() const { return bytes_ > 0; }
  /// Makes the file (its blocks allocated, not sparse); 0 or the errno that stopped it.
  int make() {
    if (!enabled()) return 0;
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return errno;
    const int error = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes_));
    ::close(fd);
    if (error != 0) release();
    return error;
  }
  void release() {
    if (enabled()) ::unlink(file_.c_str());
  }
  /// make(), and as much room again left beside it: a full disk counts as having room again
  /// only then, so that the records' few pages do not make it flap between full and not.
  bool make_with_room() {
    if (make() != 0) return false;
    struct statvfs fs {};
    if (!enabled() || ::statvfs(file_.parent_path().c_str(), &fs) != 0) return true;
    if (static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize >= bytes_) return true;
    release();
    return false;
  }

 private:
  std::filesystem::path file_;
  uint64_t bytes_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::filesystem::path& file, const StoreOptions& options)
      : options_(options),
        writer_(file, options.max_page_count),
        reserve_(file.string() + "-reserve", options.reserve_bytes) {
    if (const int error = reserve_.make(); error != 0) {
      if (error == ENOSPC || error == EDQUOT) {
        enter_full("no room for the reserve file of " + std::to_string(options.reserve_bytes) +
                   " bytes: " + std::generic_category().message(error));
      } else {
        spdlog::warn(
            "store: cannot make the reserve file beside {}: {}; invocation records get "
            "no room of their own on a full disk",
            file.string(), std::generic_category().message(error));
        reserve_ = Reserve(file.string() + "-reserve", 0);
      }
    }
    thread_ = std::thread([this] { run(); });
  }

  ~SqliteStore() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void append(LogEvent event) override { enqueue(std::move(event)); }
  void record(InvocationRecord record) override { enqueue(std::move(record)); }
  size_t backlog_bytes() const override { return backlog_.load(std::memory_order_relaxed); }
  void flush() override;
  Stats stats() const override {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  void enqueue(Item item);
  void run();
  /// Waits for rows, lets a batch build up, and takes it. Empty while the disk is full and a
  /// recheck is due with nothing queued; nullopt when stopping with nothing left to write.
  std::optional<std::vector<Item>> take_batch();
  Written write(const std::vector<Item>& batch);
  Written write_with_retries(const std::vector<Item>& batch);
  /// While the disk is full: the batch's invocation records only.
  Written write_records_only(const std::vector<Item>& batch);
  /// A full store's recheck: makes the reserve again (with as much room beside it) and writes
  /// the whole batch; false (and nothing written) while the disk is still full.
  bool try_recover(const std::vector<Item>& batch);
  /// The same with nothing to write: the disk has room again when the reserve can be made.
  void recheck_idle();
  void enter_full(const std::string& reason);
  void leave_full();
  void count(const Written& written);

  // Used by thread_ only (and the constructor, before it starts).
  const StoreOptions options_;
  BatchWriter writer_;
  Reserve reserve_;
  bool full_ = false;
  Clock::time_point recheck_at_{};
  Clock::time_point records_lost_logged_at_{};

  mutable std::mutex mutex_;
  std::condition_variable wake_;       // the writer waits here for rows
  std::condition_variable committed_;  // flush() waits here for the writer's progress
  std::deque<Item> queue_;
  uint64_t queued_total_ = 0;  // rows ever queued
  uint64_t done_total_ = 0;    // rows ever committed (or given up on)
  uint64_t flush_target_ = 0;  // while done_total_ is below, the writer does not wait to batch
  bool stopping_ = false;
  Stats stats_;
  std::atomic<size_t> backlog_{0};
  std::thread thread_;  // started last, once everything above is constructed
};

size_t log_lines_of(const Item& item) {
  if (std::holds_alternative<LogEvent>(item)) return 1;
  return std::get<InvocationRecord>(item).with_end_lines ? 2 : 0;
}

void SqliteStore::enqueue(Item item) {
  const size_t bytes = footprint(item);
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(item));
    ++queued_total_;
    // Only the first row starts the batch clock and a full batch cuts it short; waking the
    // writer for every row would cost a futex call per log line.
    wake = queue_.size() == 1 || queue_.size() == kBatchRows;
  }
  backlog_.fetch_add(bytes, std::memory_order_relaxed);
  if (wake) wake_.notify_one();
}

void SqliteStore::flush() {
  std::unique_lock lock(mutex_);
  const uint64_t target = queued_total_;
  if (done_total_ >= target) return;
  flush_target_ = std::max(flush_target_, target);
  wake_.notify_one();
  committed_.wait(lock, [&] { return done_total_ >= target; });
}

void SqliteStore::run() {
  for (;;) {
    std::optional<std::vector<Item>> taken = take_batch();
    if (!taken) return;
    if (taken->empty()) {
      recheck_idle();
      continue;
    }
    const std::vector<Item>& batch = *taken;
    const Written written = write(batch);
    size_t bytes = 0;
    for (const Item& item : batch) bytes += footprint(item);
    backlog_.fetch_sub(bytes, std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      done_total_ += batch.size();
    }
    count(written);
    committed_.notify_all();
  }
}

void SqliteStore::count(const Written& written) {
  std::lock_guard lock(mutex_);
  stats_.rows_dropped += written.rows_lost;
  stats_.log_lines_dropped += written.log_lines_lost;
  stats_.records_dropped += written.records_lost;
  stats_.disk_full = full_;
  if (!full_) stats_.disk_full_reason.clear();
  if (written.rows == 0) return;
  stats_.rows_committed += written.rows;
  stats_.batches_committed += 1;
  stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch, written.rows);
}

Written SqliteStore::write(const std::vector<Item>& batch) {
  if (!full_) return write_with_retries(batch);
  if (Clock::now() >= recheck_at_ && try_recover(batch)) {
    leave_full();
    return {.rows = batch.size()};
  }
  return write_records_only(batch);
}

void SqliteStore::recheck_idle() {
  recheck_at_ = Clock::now() + options_.recheck_interval;
  if (reserve_.make_with_room()) leave_full();
}

void SqliteStore::leave_full() {
  full_ = false;
  spdlog::info("store: the state disk has room again: log lines are stored again");
  std::lock_guard lock(mutex_);
  stats_.disk_full = false;
  stats_.disk_full_reason.clear();
}

void SqliteStore::enter_full(const std::string& reason) {
  full_ = true;
  recheck_at_ = Clock::now() + options_.recheck_interval;
  reserve_.release();
  spdlog::error(
      "store: the state disk is full ({}): log lines are dropped and invocation records kept{}; "
      "trying again every {} ms",
      reason, reserve_.enabled() ? " (in the room of the reserve file, now deleted)" : "",
      options_.recheck_interval.count());
  std::lock_guard lock(mutex_);
  stats_.disk_full = true;
  stats_.disk_full_reason = reason;
}

bool SqliteStore::try_recover(const std::vector<Item>& batch) {
  recheck_at_ = Clock::now() + options_.recheck_interval;
  if (!reserve_.make_with_room()) return false;
  try {
    writer_.write(batch);
    return true;
  } catch (const std::exception&) {
    // Still full (or failing otherwise): the reserve goes back to the records.
    reserve_.release();
    return false;
  }
}

Written SqliteStore::write_records_only(const std::vector<Item>& batch) {
  Written written;
  size_t records = 0;
  for (const Item& item : batch) {
    written.log_lines_lost += log_lines_of(item);
    if (std::holds_alternative<InvocationRecord>(item)) {
      ++records;
    } else {
      ++written.rows_lost;
    }
  }
  if (records == 0) return written;
  try {
    writer_.write(batch, /*log_lines=*/false);
    written.rows = records;
  } catch (const std::exception& e) {
    written.records_lost = records;
    written.rows_lost += records;
    // Once per 10 s at most: a full disk fails every batch.
    const auto now = Clock::now();
    if (now - records_lost_logged_at_ >= std::chrono::seconds(10)) {
      records_lost_logged_at_ = now;
      spdlog::error("store: the state disk is full even for invocation records; dropping {}: {}",
                    records, e.what());
    }
  }
  return written;
}

std::optional<std::vector<Item>> SqliteStore::take_batch() {
  std::unique_lock lock(mutex_);
  const auto has_rows = [&] { return stopping_ || !queue_.empty(); };
  if (!full_) {
    wake_.wait(lock, has_rows);
  } else if (!wake_.wait_until(lock, recheck_at_, has_rows)) {
    return std::vector<Item>();  // a full disk's recheck, with nothing to write meanwhile
  }
  if (stopping_ && queue_.empty()) return std::nullopt;
  wake_.wait_for(lock, kBatchInterval, [&] {
    return stopping_ || queue_.size() >= kBatchRows || flush_target_ > done_total_;
  });
  const size_t count = std::min(queue_.size(), kBatchRows);
  std::vector<Item> batch(std::make_move_iterator(queue_.begin()),
                          std::make_move_iterator(queue_.begin() + count));
  queue_.erase(queue_.begin(), queue_.begin() + count);
  return batch;
}

Written SqliteStore::write_with_retries(const std::vector<Item>& batch) {
  for (int attempt = 1;; ++attempt) {
    try {
      writer_.write(batch);
      return {.rows = batch.size()};
    } catch (const std::exception& e) {
      if (const auto* error = dynamic_cast<const sqlite::Error*>(&e); error && error->disk_full()) {
        enter_full(e.what());
        return write_records_only(batch);
      }
      if (attempt == kWriteAttempts) {
        // Keeping the rows would stall every producer behind a database that cannot take
        // them (file removed, I/O errors); the loss is logged loudly instead.
        spdlog::error("store: dropping {} rows after {} failed commits: {}", batch.size(), attempt,
                      e.what());
        Written lost{.rows_lost = batch.size()};
        for (const Item& item : batch) {
          lost.log_lines_lost += log_lines_of(item);
          if (std::holds_alternative<InvocationRecord>(item)) ++lost.records_lost;
        }
        return lost;
      }
      spdlog::warn("store: commit failed (attempt {}), retrying: {}", attempt, e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
    }
  }
}

}  // namespace

std::unique_ptr<Store> Store::open(const std::filesystem::path& db_file, StoreOptions options) {
  return std::make_unique<SqliteStore>(db_file, options);
}

}  // namespace lambdad::store
