// The queue engine on a real SQLite file: leases, receipts, FIFO groups, group commit, recovery
// after a crash, and a full disk.

#include "lambdad/queue/engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "lambdad/queue/error.hpp"
#include "unit/store/temp_dir.hpp"

namespace lambdad::queue {
namespace {

namespace asio = boost::asio;

class EngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> open(int64_t max_pages = 0) {
    return std::make_unique<Engine>(io_.get_executor(), open_sqlite(dir_ / "queue.db", max_pages),
                                    [this] { return now_.load(); });
  }

  template <typename R>
  R run(asio::awaitable<R> op) {
    std::optional<R> out;
    std::exception_ptr failure;
    asio::co_spawn(io_, std::move(op), [&](std::exception_ptr e, R value) {
      failure = e;
      if (!e) out = std::move(value);
    });
    io_.restart();
    io_.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
  }

  static NewMessage message(std::string id, std::string group = {}) {
    return {.queue = "q",
            .id = std::move(id),
            .body = "{\"n\":1}",
            .attributes = {},
            .group_id = std::move(group),
            .visible_ms = 0};
  }

  testing::TempDir dir_;
  asio::io_context io_;
  std::atomic<int64_t> now_{1'000'000};
};

TEST_F(EngineTest, ALeaseHidesTheMessageUntilReleasedAndSettleDeletesIt) {
  auto engine = open();
  run(engine->enqueue({message("a")}));
  auto leased = run(engine->lease("q", 10, 60'000));
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, "a");
  EXPECT_EQ(leased[0].receive_count, 1);
  EXPECT_EQ(leased[0].first_received_ms, 1'000'000);
  EXPECT_TRUE(run(engine->lease("q", 10, 60'000)).empty());

  EXPECT_TRUE(run(engine->release(leased[0].receipt(), now_ + 5'000, std::string("{\"x\":2}"))));
  EXPECT_TRUE(run(engine->lease("q", 10, 60'000)).empty());  // not visible for 5 s
  EXPECT_EQ(run(engine->next_visible("q")), now_ + 5'000);
  now_ += 5'000;
  auto again = run(engine->lease("q", 10, 60'000));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_EQ(again[0].attributes, "{\"x\":2}");
  // The first receipt is stale: only the newest lease settles.
  EXPECT_FALSE(run(engine->settle(leased[0].receipt(), Settle::kDelete, {}, {}, {})));
  EXPECT_TRUE(run(engine->settle(again[0].receipt(), Settle::kDelete, {}, {}, {})));
  EXPECT_EQ(run(engine->counts("q")).ready, 0);
}

TEST_F(EngineTest, AnExpiredLeaseMakesTheMessageVisibleAgain) {
  auto engine = open();
  run(engine->enqueue({message("a")}));
  auto first = run(engine->lease("q", 1, 30'000));
  now_ += 30'000;
  auto second = run(engine->lease("q", 1, 30'000));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_FALSE(run(engine->release(first[0].receipt(), 0, std::nullopt)));
}

TEST_F(EngineTest, SettleEnqueuesItsFollowUpsInTheSameTransaction) {
  auto engine = open();
  run(engine->enqueue({message("a")}));
  auto leased = run(engine->lease("q", 1, 60'000));
  NewMessage next{.queue = "destination", .id = "d", .body = "{}"};
  int woken = 0;
  engine->watch("destination", [&] { ++woken; });
  EXPECT_TRUE(run(engine->settle(leased[0].receipt(), Settle::kPark, "RetriesExhausted",
                                 std::string("{\"n\":3}"), {next})));
  EXPECT_EQ(woken, 1);
  auto parked = run(engine->list("q", State::kParked, 10, 0));
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].reason, "RetriesExhausted");
  EXPECT_EQ(parked[0].attributes, "{\"n\":3}");
  EXPECT_EQ(run(engine->counts("destination")).ready, 1);
  EXPECT_EQ(run(engine->counts("q")).parked, 1);

  EXPECT_EQ(run(engine->unpark("q", {})), 1);
  auto redriven = run(engine->lease("q", 1, 60'000));
  ASSERT_EQ(redriven.size(), 1u);
  EXPECT_EQ(redriven[0].reason, "");
}

TEST_F(EngineTest, AFifoGroupGivesOneMessageAtATimeInOrder) {
  auto engine = open();
  run(engine->enqueue({message("g1-a", "g1"), message("g1-b", "g1"), message("g2-a", "g2")}));
  auto leased = run(engine->lease("q", 10, 60'000));
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(leased[0].id, "g1-a");
  EXPECT_EQ(leased[1].id, "g2-a");
  EXPECT_TRUE(run(engine->lease("q", 10, 60'000)).empty());  // g1 is blocked by its lease
  run(engine->settle(leased[0].receipt(), Settle::kDelete, {}, {}, {}));
  auto next = run(engine->lease("q", 10, 60'000));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].id, "g1-b");
}

TEST_F(EngineTest, ConcurrentEnqueuesShareTransactions) {
  auto engine = open();
  int done = 0;
  for (int i = 0; i < 200; ++i) {
    asio::co_spawn(io_, engine->enqueue({message("m" + std::to_string(i))}),
                   [&](std::exception_ptr e, std::vector<int64_t>) { done += !e; });
  }
  io_.run();
  EXPECT_EQ(done, 200);
  EXPECT_EQ(engine->stats().operations, 200u);
  EXPECT_LT(engine->stats().transactions, 200u + 1u);  // + recover's
  EXPECT_EQ(run(engine->counts("q")).ready, 200);
}

TEST_F(EngineTest, ARestartEndsThePreviousRunsLeases) {
  {
    auto engine = open();
    run(engine->enqueue({message("a"), message("b")}));
    auto leased = run(engine->lease("q", 2, 3'600'000));
    ASSERT_EQ(leased.size(), 2u);
    // Cut off by a shutdown: not an attempt.
    run(engine->release(leased[1].receipt(), 0, std::nullopt, true));
  }  // "a" is still leased, as after kill -9
  auto engine = open();
  auto leased = run(engine->lease("q", 10, 60'000));
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(leased[0].id, "b");  // visible since 0: first
  EXPECT_EQ(leased[0].receive_count, 1);
  EXPECT_EQ(leased[1].id, "a");
  EXPECT_EQ(leased[1].receive_count, 2);
}

TEST_F(EngineTest, MarksAreWrittenWithTheMessages) {
  auto engine = open();
  run(engine->enqueue({message("a")}, {{"schedule:x", 60'000}, {"other", 1}}));
  run(engine->enqueue({}, {{"schedule:x", 120'000}}));
  const auto marks = run(engine->marks("schedule:"));
  EXPECT_EQ(marks, (std::map<std::string, int64_t>{{"schedule:x", 120'000}}));
}

TEST_F(EngineTest, OneStoreHasOneOwner) {
  auto engine = open();
  try {
    open_sqlite(dir_ / "queue.db");
    ADD_FAILURE() << "a second owner opened the store";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another lambdad serve uses the state dir"),
              std::string::npos)
        << e.what();
  }
  engine.reset();
  EXPECT_NO_THROW(open());  // the lock goes with its owner
}

TEST_F(EngineTest, AFullDiskFailsTheEnqueueAloneAndLosesNothing) {
  auto engine = open(40);
  run(engine->enqueue({message("small")}));
  NewMessage big = message("big");
  big.body.assign(400'000, 'x');
  EXPECT_THROW(
      {
        try {
          run(engine->enqueue({big}));
        } catch (const queue::Error& e) {
          EXPECT_TRUE(e.disk_full) << e.what();
          throw;
        }
      },
      queue::Error);
  EXPECT_EQ(run(engine->counts("q")).ready, 1);
  EXPECT_THROW(run(engine->enqueue({big}, {{"mark", 1}})), queue::Error);
  EXPECT_TRUE(run(engine->marks("mark")).empty());  // nothing of a failed transaction
  run(engine->enqueue({message("after")}));
  EXPECT_EQ(run(engine->counts("q")).ready, 2);
}

}  // namespace
}  // namespace lambdad::queue
