#pragma once
/// @brief Durable `Event` invocations: each accepted event is committed to the queue engine
/// before its 202, then run, retried and sent to its destinations as AWS does.
///
/// All of it runs on the io thread. Events live in the engine's queue `lambda:async`; at most
/// `max_in_flight` of them are leased (and so in memory) at a time, however many are stored.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/queue/engine.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::async {

/// The engine's queue of Event invocations.
inline constexpr const char* kQueue = "lambda:async";
/// What one stored event counts for against max_bytes beyond its payload and client context.
inline constexpr size_t kEventOverhead = 1024;

struct AsyncSettings {
  std::chrono::seconds max_event_age{21600};        ///< unless an EventInvokeConfig says
  int max_retries = 2;                              ///< function errors; unless configured
  std::chrono::milliseconds retry_base{60000};      ///< 1 min, then 2 min (AWS's spacing)
  std::chrono::milliseconds throttle_first{1000};   ///< throttles and 5xx: 1 s, doubling…
  std::chrono::milliseconds throttle_most{300000};  ///< …up to 5 min
  /// Bounds of what is stored and not finished: an Event invoke beyond either is answered 429.
  size_t max_events = 100000;
  size_t max_bytes = 128u << 20;
  size_t max_in_flight = 64;  ///< events leased and running at once
};

/// What applies to one function version's events: its EventInvokeConfig (the API's for the
/// qualifier, else the template's) and DeadLetterConfig, and whether reserved concurrency 0
/// disables it.
struct EventPolicy {
  std::optional<int> max_retries;
  std::optional<int> max_event_age_s;
  std::string on_success;   ///< destination ARN, "" for none
  std::string on_failure;   ///< destination ARN, "" for none
  std::string dead_letter;  ///< DeadLetterConfig.TargetArn, "" for none
  bool disabled = false;    ///< reserved concurrency 0: events go straight to failure handling
};
/// (function's exact name, qualifier as the caller gave it or "") → its policy.
using PolicyOf = std::function<EventPolicy(const std::string& name, const std::string& qualifier)>;

/// One event as listed by `lambdad events`.
struct EventSummary {
  int64_t seq = 0;
  std::string request_id;
  std::string function;
  std::string qualifier;
  int64_t enqueued_ms = 0;
  int64_t next_attempt_ms = 0;
  int attempts = 0;
  bool running = false;
  std::string failure;  ///< why it was parked (RetriesExhausted, EventAgeExceeded, …)
  std::string last_error;
};

class AsyncInvoker {
 public:
  AsyncInvoker(scheduler::Scheduler& scheduler, queue::Engine& engine, AsyncSettings settings,
               PolicyOf policy);
  ~AsyncInvoker();

  /// Reads what the store holds from an earlier run, then starts running events.
  boost::asio::awaitable<void> start();
  /// Leases no more events (before the scheduler's shutdown).
  void stop_leasing();
  /// Waits until the events running finished (the scheduler's shutdown ends them) and their
  /// outcome is committed. One cut off by the shutdown runs first after the restart.
  boost::asio::awaitable<void> drained();

  /// Throws AwsError 429 TooManyRequestsException (Reason FunctionInvocationRateLimitExceeded)
  /// when an event of `payload_bytes` (payload and client context) would pass a bound. Cheap:
  /// the lambda port asks before it parses the payload.
  void check_room(size_t payload_bytes);
  /// Commits the event (group commit); returns once it is on disk. `request` names a function
  /// that exists (the caller checked). Throws AwsError: 429 as check_room, 500 ServiceException
  /// when the store cannot take it (a full disk: nothing is half-written).
  boost::asio::awaitable<void> enqueue(scheduler::InvokeRequest request);

  /// An event a trigger produces (a schedule's fire) for `function` (its exact name) and
  /// `qualifier`: committed with `marks` (what the trigger has produced up to) in one
  /// transaction. Not held to the bounds: a trigger's own pace bounds it. Throws AwsError
  /// (the function does not exist) or queue::Error.
  boost::asio::awaitable<void> enqueue_event(std::string function, std::string qualifier,
                                             std::string payload, std::string id,
                                             std::map<std::string, int64_t> marks);

  /// Events waiting, running or parked (`parked`), oldest first.
  boost::asio::awaitable<std::vector<EventSummary>> list(bool parked, size_t limit);
  /// Parked events (all when `seqs` is empty) back to the queue; returns how many.
  boost::asio::awaitable<int64_t> redrive(std::vector<int64_t> seqs);
  /// Deletes the parked events; returns how many.
  boost::asio::awaitable<int64_t> purge_parked();

  /// Prometheus lines: depth, bytes, oldest age, in flight, retries, dead-lettered, rejected.
  std::string metrics() const;

 private:
  struct Event;
  /// Commits one event (with `marks`), counting it against the bounds; throws queue::Error.
  boost::asio::awaitable<void> store(FunctionName target, std::string payload,
                                     std::string client_context, std::string id,
                                     std::map<std::string, int64_t> marks);
  boost::asio::awaitable<void> dispatch_loop();
  /// One round: gives back orphaned leases, leases what there is room for and starts it. true:
  /// go again at once; false: sleep `next_wait_` (or until woken). Throws queue::Error.
  boost::asio::awaitable<bool> dispatch_once();
  boost::asio::awaitable<void> run(queue::Message message);
  boost::asio::awaitable<void> attempt(Event& event);
  boost::asio::awaitable<void> succeed(Event& event, const scheduler::InvokeResult& result);
  /// Failure handling: the OnFailure destination (AWS's record), else the dead-letter queue (the
  /// event), else parked for `lambdad events`.
  boost::asio::awaitable<void> fail(Event& event, const std::string& condition);
  boost::asio::awaitable<void> retry_later(Event& event, std::chrono::milliseconds delay,
                                           bool counts_as_attempt);
  void finished(size_t bytes);
  void wake();

  scheduler::Scheduler& scheduler_;
  queue::Engine& engine_;
  AsyncSettings settings_;
  PolicyOf policy_;
  boost::asio::steady_timer wake_timer_;
  bool woken_ = false;
  bool stopping_ = false;
  size_t in_flight_ = 0;
  // What is stored and not finished, counted here against the bounds (the store is not asked
  // at each invoke).
  size_t events_ = 0;
  size_t bytes_ = 0;
  bool full_ = false;
  uint64_t rejected_ = 0, retries_ = 0, dead_lettered_ = 0, delivered_ = 0, dropped_ = 0;
  int64_t oldest_enqueued_ms_ = 0;  ///< refreshed by the dispatcher, at most once a second
  int64_t oldest_checked_ms_ = 0;
  std::shared_ptr<bool> alive_;          ///< false once destroyed: the detached events check it
  std::vector<queue::Receipt> orphans_;  ///< leases whose outcome the store did not take
  std::chrono::milliseconds next_wait_{0};
  bool store_failing_ = false;  ///< told in the log once per time it fails
};

}  // namespace lambdad::async
