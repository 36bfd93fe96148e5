// The async queue's bounds: Event invocations beyond the count or the bytes are answered 429
// TooManyRequestsException at once, and an event that ends gives its room back. No worker is
// started: the events are for a function that does not exist, which run_async drops.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::scheduler {
namespace {

InvokeRequest event(std::string payload) {
  return {.function = "Missing", .payload = std::move(payload), .invocation_type = "Event"};
}

void expect_throttled(Scheduler& scheduler, InvokeRequest request) {
  try {
    scheduler.invoke_async(std::move(request));
    ADD_FAILURE() << "an event over the queue's bounds was taken";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.type, "TooManyRequestsException");
    EXPECT_EQ(e.reason, "FunctionInvocationRateLimitExceeded");
    EXPECT_EQ(e.retry_after_s, 1);
  }
}

class AsyncQueueTest : public ::testing::Test {
 protected:
  static SchedulerSettings bounds(size_t events, size_t bytes) {
    SchedulerSettings s;
    s.async_queue_max_events = events;
    s.async_queue_max_bytes = bytes;
    return s;
  }
  boost::asio::io_context io_;
  std::unique_ptr<sandbox::ProcessLauncher> launcher_ = sandbox::make_posix_launcher();
};

TEST_F(AsyncQueueTest, BeyondTheCountEventsAreThrottled) {
  Scheduler scheduler(io_.get_executor(), *launcher_, nullptr, bounds(3, 1 << 20));
  for (int i = 0; i < 3; ++i) scheduler.invoke_async(event("{}"));
  expect_throttled(scheduler, event("{}"));
  AsyncQueueStats stats = scheduler.stats().async_queue;
  EXPECT_EQ(stats.events, 3u);
  EXPECT_EQ(stats.bytes, 3 * (2 + kAsyncEventOverhead));
  EXPECT_EQ(stats.rejected, 1u);

  io_.run();  // the events end (their function does not exist): their room comes back
  stats = scheduler.stats().async_queue;
  EXPECT_EQ(stats.events, 0u);
  EXPECT_EQ(stats.bytes, 0u);
  scheduler.invoke_async(event("{}"));
  EXPECT_EQ(scheduler.stats().async_queue.events, 1u);
}

TEST_F(AsyncQueueTest, BeyondTheBytesEventsAreThrottled) {
  const size_t limit = 3 * (1000 + kAsyncEventOverhead);
  Scheduler scheduler(io_.get_executor(), *launcher_, nullptr, bounds(100, limit));
  scheduler.invoke_async(event(std::string(1000, ' ')));
  scheduler.invoke_async(event(std::string(1000, ' ')));
  expect_throttled(scheduler, event(std::string(1001, ' ')));
  scheduler.invoke_async(event(std::string(1000, ' ')));  // exactly at the bound
  expect_throttled(scheduler, event("{}"));
  EXPECT_EQ(scheduler.stats().async_queue.bytes, limit);
  EXPECT_EQ(scheduler.stats().async_queue.rejected, 2u);
}

TEST_F(AsyncQueueTest, QueuedEventsOutliveTheSchedulerSafely) {
  {
    Scheduler scheduler(io_.get_executor(), *launcher_, nullptr, bounds(10, 1 << 20));
    scheduler.invoke_async(event("{}"));
  }
  // The event's coroutine, never run, is destroyed with the io_context after the scheduler.
  SUCCEED();
}

}  // namespace
}  // namespace lambdad::scheduler
