// Store: producers queue rows under a mutex and return; one thread commits them in batches.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "batch_writer.hpp"

namespace lambdad::store {
namespace {

// A batch per ~10 ms keeps commit latency invisible to `logs --follow` while amortising the
// fsync-free WAL commit over many rows; 2,000 rows bounds a transaction under a flood.
constexpr auto kBatchInterval = std::chrono::milliseconds(10);
constexpr size_t kBatchRows = 2000;
constexpr int kWriteAttempts = 3;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::filesystem::path& file)
      : writer_(file), thread_([this] { run(); }) {}

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
  std::vector<Item> take_batch();
  bool write_with_retries(const std::vector<Item>& batch);
  void count(size_t rows, bool written);

  BatchWriter writer_;  // used by thread_ only, after construction
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
  std::thread thread_;  // last: starts once everything above is constructed
};

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
    std::vector<Item> batch = take_batch();
    if (batch.empty()) return;
    const bool written = write_with_retries(batch);
    size_t bytes = 0;
    for (const Item& item : batch) bytes += footprint(item);
    backlog_.fetch_sub(bytes, std::memory_order_relaxed);
    count(batch.size(), written);
    committed_.notify_all();
  }
}

void SqliteStore::count(size_t rows, bool written) {
  std::lock_guard lock(mutex_);
  done_total_ += rows;
  if (!written) {
    stats_.rows_dropped += rows;
    return;
  }
  stats_.rows_committed += rows;
  stats_.batches_committed += 1;
  stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch, rows);
}

/// Waits for rows, lets a batch build up, and takes it; empty only when stopping with nothing
/// left to write.
std::vector<Item> SqliteStore::take_batch() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  wake_.wait_for(lock, kBatchInterval, [&] {
    return stopping_ || queue_.size() >= kBatchRows || flush_target_ > done_total_;
  });
  const size_t count = std::min(queue_.size(), kBatchRows);
  std::vector<Item> batch(std::make_move_iterator(queue_.begin()),
                          std::make_move_iterator(queue_.begin() + count));
  queue_.erase(queue_.begin(), queue_.begin() + count);
  return batch;
}

bool SqliteStore::write_with_retries(const std::vector<Item>& batch) {
  for (int attempt = 1;; ++attempt) {
    try {
      writer_.write(batch);
      return true;
    } catch (const std::exception& e) {
      if (attempt == kWriteAttempts) {
        // Keeping the rows would stall every producer behind a database that cannot take
        // them (disk full, file removed); the loss is logged loudly instead.
        spdlog::error("store: dropping {} rows after {} failed commits: {}", batch.size(), attempt,
                      e.what());
        return false;
      }
      spdlog::warn("store: commit failed (attempt {}), retrying: {}", attempt, e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
    }
  }
}

}  // namespace

std::unique_ptr<Store> Store::open(const std::filesystem::path& db_file) {
  return std::make_unique<SqliteStore>(db_file);
}

}  // namespace lambdad::store
