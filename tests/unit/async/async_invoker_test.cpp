// The async queue's bounds: Event invocations beyond the count or the bytes are answered 429
// TooManyRequestsException before anything is stored, and an event for no function is refused
// without taking room.

#include "lambdad/async/async_invoker.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/queue/backend.hpp"
#include "unit/store/temp_dir.hpp"

namespace lambdad::async {
namespace {

void expect_throttled(AsyncInvoker& async, size_t bytes) {
  try {
    async.check_room(bytes);
    ADD_FAILURE() << "an event over the queue's bounds was taken";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.type, "TooManyRequestsException");
    EXPECT_EQ(e.reason, "FunctionInvocationRateLimitExceeded");
    EXPECT_EQ(e.retry_after_s, 1);
  }
}

class AsyncInvokerTest : public ::testing::Test {
 protected:
  std::unique_ptr<AsyncInvoker> make(size_t events, size_t bytes) {
    AsyncSettings settings;
    settings.max_events = events;
    settings.max_bytes = bytes;
    return std::make_unique<AsyncInvoker>(
        scheduler_, engine_, settings,
        [](const std::string&, const std::string&) { return EventPolicy{}; });
  }

  testing::TempDir dir_;
  boost::asio::io_context io_;
  std::unique_ptr<sandbox::ProcessLauncher> launcher_ = sandbox::make_posix_launcher();
  scheduler::Scheduler scheduler_{io_.get_executor(), *launcher_, nullptr, {}};
  queue::Engine engine_{io_.get_executor(), queue::open_sqlite(dir_ / "queue.db")};
};

TEST_F(AsyncInvokerTest, BeyondTheBytesEventsAreThrottled) {
  auto async = make(100, 1000 + kEventOverhead);
  async->check_room(1000);  // exactly at the bound
  expect_throttled(*async, 1001);
  EXPECT_NE(async->metrics().find("lambdad_async_events_rejected_total 1\n"), std::string::npos);
}

TEST_F(AsyncInvokerTest, AnEventForNoFunctionTakesNoRoom) {
  auto async = make(1, 1 << 20);
  std::exception_ptr failure;
  scheduler::InvokeRequest request{
      .function = "Missing", .payload = "{}", .invocation_type = "Event"};
  boost::asio::co_spawn(io_, async->enqueue(request), [&](std::exception_ptr e) { failure = e; });
  io_.run();
  ASSERT_TRUE(failure);
  try {
    std::rethrow_exception(failure);
  } catch (const AwsError& e) {
    EXPECT_EQ(e.status, 404);
  }
  async->check_room(2);  // the one event's room is still free
  EXPECT_NE(async->metrics().find("lambdad_async_queue_events 0\n"), std::string::npos);
}

}  // namespace
}  // namespace lambdad::async
