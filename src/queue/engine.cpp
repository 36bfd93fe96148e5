#include "lambdad/queue/engine.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include "lambdad/queue/error.hpp"
#include "lambdad/store/sqlite.hpp"

namespace lambdad::queue {

namespace asio = boost::asio;

namespace {

/// One caller's operation: `run` inside the batch's transaction (storing its result aside),
/// `done` once the transaction ended, on the engine's thread.
struct Op {
  std::function<void(Backend&)> run;
  std::function<void(std::exception_ptr)> done;
};

/// The backend's exception as the engine's one error type.
std::exception_ptr as_queue_error(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const store::sqlite::Error& e) {
    return std::make_exception_ptr(Error(e.what(), e.disk_full()));
  } catch (const std::exception& e) {
    return std::make_exception_ptr(Error(e.what(), false));
  } catch (...) {
    return error;
  }
}

}  // namespace

struct Engine::Shared {
  asio::any_io_executor io;
  std::unique_ptr<Backend> backend;  ///< the engine thread's only, once it runs
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<Op> pending;                                ///< guarded by mutex
  bool stopping = false;                                  ///< guarded by mutex
  std::map<std::string, std::function<void()>> watchers;  ///< io thread only
  std::atomic<uint64_t> transactions{0}, operations{0}, failed{0};
  std::thread thread;

  void push(Op op) {
    {
      std::lock_guard lock(mutex);
      pending.push_back(std::move(op));
    }
    wake.notify_one();
  }

  void notify(const std::vector<std::string>& queues) {
    for (const std::string& queue : queues) {
      auto it = watchers.find(queue);
      if (it != watchers.end() && it->second) it->second();
    }
  }

  void loop() {
    std::vector<Op> batch;
    for (;;) {
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return !pending.empty() || stopping; });
        if (pending.empty()) return;
        batch.swap(pending);
      }
      run_batch(batch);
      batch.clear();
    }
  }

  /// The whole batch in one transaction; when that fails, each operation alone, so only the
  /// failing one fails.
  void run_batch(std::vector<Op>& batch) {
    operations += batch.size();
    if (std::exception_ptr error = run_together(batch); !error) {
      for (Op& op : batch) op.done(nullptr);
      return;
    } else if (batch.size() == 1) {
      ++failed;
      batch.front().done(error);
      return;
    }
    for (Op& op : batch) {
      std::span<Op> one(&op, 1);
      std::exception_ptr error = run_together(one);
      if (error) ++failed;
      op.done(error);
    }
  }

  std::exception_ptr run_together(std::span<Op> ops) {
    try {
      backend->begin();
      for (Op& op : ops) op.run(*backend);
      backend->commit();
      ++transactions;
      return nullptr;
    } catch (...) {
      std::exception_ptr error = as_queue_error(std::current_exception());
      try {
        backend->rollback();
      } catch (const std::exception& e) {
        spdlog::error("queue: rollback failed: {}", e.what());
      }
      return error;
    }
  }
};

namespace {

/// The completion of an operation of result R: `work` runs on the engine's thread; the awaiting
/// coroutine resumes on the io thread, after `ready` queues' watchers were told.
template <typename R>
struct Initiate {
  std::shared_ptr<Engine::Shared> shared;
  std::function<R(Backend&)> work;
  std::vector<std::string> ready;

  template <typename Handler>
  void operator()(Handler&& handler) {
    auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    auto result = std::make_shared<R>();
    Op op;
    op.run = [work = std::move(work), result](Backend& backend) { *result = work(backend); };
    op.done = [shared = shared, h, result, ready = std::move(ready)](std::exception_ptr error) {
      asio::post(shared->io, [shared, h, result, ready, error]() mutable {
        if (!error) shared->notify(ready);
        // Moved out first: the handler then ends on the io thread, whichever thread drops the
        // last reference to `h` (the engine's, with its Op, may come later).
        auto handler = std::move(*h);
        handler(error, std::move(*result));
      });
    };
    shared->push(std::move(op));
  }
};

template <typename R>
asio::awaitable<R> submit(const std::shared_ptr<Engine::Shared>& shared,
                          std::function<R(Backend&)> work, std::vector<std::string> ready = {}) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, R)>(
      Initiate<R>{shared, std::move(work), std::move(ready)}, asio::use_awaitable);
}

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> queues_of(const std::vector<NewMessage>& messages) {
  std::vector<std::string> queues;
  for (const NewMessage& m : messages) {
    if (std::find(queues.begin(), queues.end(), m.queue) == queues.end()) {
      queues.push_back(m.queue);
    }
  }
  return queues;
}

}  // namespace

Engine::Engine(asio::any_io_executor io, std::unique_ptr<Backend> backend, NowMs now_ms)
    : shared_(std::make_shared<Shared>()), now_ms_(now_ms ? std::move(now_ms) : system_now_ms) {
  shared_->io = std::move(io);
  shared_->backend = std::move(backend);
  shared_->backend->begin();
  shared_->backend->recover(now_ms_());
  shared_->backend->commit();
  shared_->thread = std::thread([shared = shared_.get()] { shared->loop(); });
}

Engine::~Engine() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->wake.notify_one();
  shared_->thread.join();
}

asio::awaitable<std::vector<int64_t>> Engine::enqueue(std::vector<NewMessage> messages,
                                                      std::map<std::string, int64_t> marks) {
  std::vector<std::string> ready = queues_of(messages);
  return submit<std::vector<int64_t>>(
      shared_,
      [messages = std::move(messages), marks = std::move(marks), now = now_ms_](Backend& backend) {
        std::vector<int64_t> seqs;
        const int64_t at = now();
        for (const NewMessage& m : messages) seqs.push_back(backend.insert(m, at));
        for (const auto& [key, value] : marks) backend.set_mark(key, value);
        return seqs;
      },
      std::move(ready));
}

asio::awaitable<std::map<std::string, int64_t>> Engine::marks(std::string prefix) {
  return submit<std::map<std::string, int64_t>>(
      shared_, [prefix = std::move(prefix)](Backend& backend) { return backend.marks(prefix); });
}

asio::awaitable<std::vector<Message>> Engine::lease(std::string queue, size_t max,
                                                    int64_t lease_ms) {
  return submit<std::vector<Message>>(
      shared_, [queue = std::move(queue), max, lease_ms, now = now_ms_](Backend& backend) {
        const int64_t at = now();
        return backend.lease(queue, max, at, at + lease_ms);
      });
}

asio::awaitable<bool> Engine::settle(Receipt receipt, Settle what, std::string reason,
                                     std::optional<std::string> attributes,
                                     std::vector<NewMessage> then) {
  std::vector<std::string> ready = queues_of(then);
  return submit<bool>(
      shared_,
      [=, then = std::move(then), now = now_ms_](Backend& backend) {
        const bool held = what == Settle::kPark ? backend.park(receipt, reason, attributes)
                                                : backend.remove(receipt);
        if (!held) return false;
        const int64_t at = now();
        for (const NewMessage& m : then) backend.insert(m, at);
        return true;
      },
      std::move(ready));
}

asio::awaitable<bool> Engine::release(Receipt receipt, int64_t visible_ms,
                                      std::optional<std::string> attributes, bool not_an_attempt) {
  return submit<bool>(shared_, [=](Backend& backend) {
    return backend.release(receipt, visible_ms, attributes, not_an_attempt);
  });
}

asio::awaitable<int64_t> Engine::unpark(std::string queue, std::vector<int64_t> seqs) {
  std::vector<std::string> ready{queue};
  return submit<int64_t>(
      shared_,
      [queue = std::move(queue), seqs = std::move(seqs), now = now_ms_](Backend& backend) {
        return backend.unpark(queue, seqs, now());
      },
      std::move(ready));
}

asio::awaitable<int64_t> Engine::purge(std::string queue, State state) {
  return submit<int64_t>(shared_, [queue = std::move(queue), state](Backend& backend) {
    return backend.purge(queue, state);
  });
}

asio::awaitable<std::optional<int64_t>> Engine::next_visible(std::string queue) {
  return submit<std::optional<int64_t>>(shared_, [queue = std::move(queue)](Backend& backend) {
    return backend.next_visible(queue);
  });
}

asio::awaitable<Counts> Engine::counts(std::string queue) {
  return submit<Counts>(
      shared_, [queue = std::move(queue)](Backend& backend) { return backend.counts(queue); });
}

asio::awaitable<std::vector<Message>> Engine::list(std::string queue, State state, size_t limit,
                                                   int64_t after_seq) {
  return submit<std::vector<Message>>(
      shared_, [queue = std::move(queue), state, limit, after_seq](Backend& backend) {
        return backend.list(queue, state, limit, after_seq);
      });
}

void Engine::watch(const std::string& queue, std::function<void()> on_ready) {
  shared_->watchers[queue] = std::move(on_ready);
}

Engine::Stats Engine::stats() const {
  return {.transactions = shared_->transactions.load(),
          .operations = shared_->operations.load(),
          .failed_operations = shared_->failed.load()};
}

}  // namespace lambdad::queue
