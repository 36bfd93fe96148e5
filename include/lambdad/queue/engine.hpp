#pragma once
/// @brief The queue engine: one Backend behind one thread, with group commit, for every queue of
/// lambdad (Event invokes, SQS queues, schedules' fires, destinations).
///
/// Callers on the io thread `co_await` its operations. Whatever callers ask while the thread is
/// committing is committed next, together, in one transaction: a burst of enqueues costs one
/// fsync per batch, not one each. An operation completes after its transaction committed, so an
/// enqueue that returned is on disk. A batch that fails is retried one operation per transaction,
/// so one failing operation fails alone, with queue::Error (error.hpp).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "lambdad/queue/backend.hpp"
#include "lambdad/queue/message.hpp"

namespace lambdad::queue {

/// What settle() does with a leased message besides what it enqueues in the same transaction.
enum class Settle {
  kDelete,  ///< done with it
  kPark,    ///< kept as State::kParked (with the reason given)
};

class Engine {
 public:
  using NowMs = std::function<int64_t()>;

  /// Runs recover() on the backend first (this process owns the store). `now_ms` defaults to the
  /// system clock.
  Engine(boost::asio::any_io_executor io, std::unique_ptr<Backend> backend, NowMs now_ms = {});
  /// Commits what was asked before, then stops the thread.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  int64_t now_ms() const { return now_ms_(); }

  /// Durable once it returns. Returns the messages' seqs. `marks` are set in the same transaction.
  boost::asio::awaitable<std::vector<int64_t>> enqueue(
      std::vector<NewMessage> messages, std::map<std::string, int64_t> marks = {});
  boost::asio::awaitable<std::map<std::string, int64_t>> marks(std::string prefix);
  boost::asio::awaitable<std::vector<Message>> lease(std::string queue, size_t max,
                                                     int64_t lease_ms);
  /// Ends a lease: the message deleted (or parked) and `then` enqueued, in one transaction, so a
  /// crash loses neither. false (and nothing enqueued) when the receipt no longer holds.
  boost::asio::awaitable<bool> settle(Receipt receipt, Settle what, std::string reason,
                                      std::optional<std::string> attributes,
                                      std::vector<NewMessage> then);
  boost::asio::awaitable<bool> release(Receipt receipt, int64_t visible_ms,
                                       std::optional<std::string> attributes,
                                       bool not_an_attempt = false);
  boost::asio::awaitable<int64_t> unpark(std::string queue, std::vector<int64_t> seqs);
  boost::asio::awaitable<int64_t> purge(std::string queue, State state);
  boost::asio::awaitable<std::optional<int64_t>> next_visible(std::string queue);
  boost::asio::awaitable<Counts> counts(std::string queue);
  boost::asio::awaitable<std::vector<Message>> list(std::string queue, State state, size_t limit,
                                                    int64_t after_seq);

  /// Called on the io thread after a commit that made messages of `queue` ready (an enqueue, a
  /// release, an unpark): consumers wake without polling. One watcher per queue.
  void watch(const std::string& queue, std::function<void()> on_ready);

  struct Stats {
    uint64_t transactions = 0;
    uint64_t operations = 0;
    uint64_t failed_operations = 0;
  };
  Stats stats() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
  NowMs now_ms_;
};

}  // namespace lambdad::queue
