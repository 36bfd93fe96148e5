#include "lambdad/async/async_invoker.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lambdad/async/event_record.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/queue/error.hpp"

namespace lambdad::async {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
/// A lease outlives any invocation: this process is the store's only user, and a restart ends
/// every lease (Engine's recovery), so it never has to expire.
constexpr int64_t kLeaseMs = 24LL * 3600 * 1000;

/// The errorType a function's error answer names (for `lambdad events`), else "Unhandled".
std::string error_type_of(const std::string& payload) {
  const nlohmann::json error = nlohmann::json::parse(payload, nullptr, false);
  if (error.is_object() && error.contains("errorType") && error["errorType"].is_string()) {
    return error["errorType"].get<std::string>();
  }
  return "Unhandled";
}

size_t counted_bytes(const queue::Message& m, const EventAttributes& a) {
  return m.body.size() + a.client_context.size() + kEventOverhead;
}

}  // namespace

struct AsyncInvoker::Event {
  queue::Message message;
  EventAttributes attributes;
  EventPolicy policy;
};

AsyncInvoker::AsyncInvoker(scheduler::Scheduler& scheduler, queue::Engine& engine,
                           AsyncSettings settings, PolicyOf policy)
    : scheduler_(scheduler),
      engine_(engine),
      settings_(settings),
      policy_(std::move(policy)),
      wake_timer_(scheduler.executor()),
      alive_(std::make_shared<bool>(true)) {}

AsyncInvoker::~AsyncInvoker() {
  *alive_ = false;
  engine_.watch(kQueue, nullptr);
}

asio::awaitable<void> AsyncInvoker::start() {
  const queue::Counts counts = co_await engine_.counts(kQueue);
  events_ = static_cast<size_t>(counts.ready);
  bytes_ = static_cast<size_t>(counts.bytes) + events_ * kEventOverhead;
  oldest_enqueued_ms_ = counts.oldest_enqueued_ms;
  if (counts.ready || counts.parked) {
    spdlog::info("async queue: {} event(s) from an earlier run to run, {} parked", counts.ready,
                 counts.parked);
  }
  engine_.watch(kQueue, [this] { wake(); });
  asio::co_spawn(scheduler_.executor(), dispatch_loop(), asio::detached);
}

void AsyncInvoker::stop_leasing() {
  stopping_ = true;
  wake();
}

asio::awaitable<void> AsyncInvoker::drained() {
  stop_leasing();
  asio::steady_timer tick(scheduler_.executor());
  while (in_flight_ > 0) {
    tick.expires_after(milliseconds(10));
    co_await tick.async_wait(kAwait);
  }
}

void AsyncInvoker::wake() {
  woken_ = true;
  wake_timer_.cancel();
}

void AsyncInvoker::check_room(size_t payload_bytes) {
  const size_t bytes = payload_bytes + kEventOverhead;
  if (events_ + 1 <= settings_.max_events && bytes_ + bytes <= settings_.max_bytes) {
    if (full_ && events_ < settings_.max_events / 2 && bytes_ < settings_.max_bytes / 2) {
      full_ = false;
      spdlog::info("async queue below half its bounds again: Event invokes are taken");
    }
    return;
  }
  ++rejected_;
  if (!full_) {
    full_ = true;
    spdlog::warn(
        "async queue full ({} events, {} bytes; bounds {} events, {} bytes): Event invokes are "
        "answered 429 until it drains",
        events_, bytes_, settings_.max_events, settings_.max_bytes);
  }
  // AWS turns an Event invoke away at enqueue by its invocation rate, with this Reason; SDKs
  // take the 429 as a throttle and retry with back-off.
  throw errors::too_many_requests("FunctionInvocationRateLimitExceeded");
}

asio::awaitable<void> AsyncInvoker::enqueue(scheduler::InvokeRequest request) {
  check_room(request.payload.size() + request.client_context.size());
  const FunctionName target = scheduler_.check_exists(request.function, request.qualifier);
  const std::string id = request.request_id;
  std::optional<queue::Error> failure;
  try {
    co_await store(target, std::move(request.payload), std::move(request.client_context),
                   request.request_id, {});
  } catch (const queue::Error& e) {
    failure = e;
  }
  if (failure) {
    spdlog::error("async invocation {} of {} not taken: {}", id, target.name, failure->what());
    throw errors::service(failure->disk_full
                              ? "lambdad cannot store the event: its state dir's disk is full"
                              : "lambdad cannot store the event");
  }
}

asio::awaitable<void> AsyncInvoker::enqueue_event(std::string function, std::string qualifier,
                                                  std::string payload, std::string id,
                                                  std::map<std::string, int64_t> marks) {
  const FunctionName target = scheduler_.check_exists(function, qualifier);
  co_await store(target, std::move(payload), "", std::move(id), std::move(marks));
}

asio::awaitable<void> AsyncInvoker::store(FunctionName target, std::string payload,
                                          std::string client_context, std::string id,
                                          std::map<std::string, int64_t> marks) {
  const size_t bytes = payload.size() + client_context.size() + kEventOverhead;
  const EventAttributes attributes{.function = std::move(target.name),
                                   .qualifier = std::move(target.qualifier),
                                   .client_context = std::move(client_context)};
  std::vector<queue::NewMessage> batch;
  batch.push_back({.queue = kQueue,
                   .id = std::move(id),
                   .body = std::move(payload),
                   .attributes = to_text(attributes)});
  // Counted now, so that concurrent enqueues cannot pass the bounds together.
  events_ += 1;
  bytes_ += bytes;
  std::optional<queue::Error> failure;
  try {
    co_await engine_.enqueue(std::move(batch), std::move(marks));
  } catch (const queue::Error& e) {
    failure = e;
  }
  if (failure) {
    events_ -= 1;
    bytes_ -= bytes;
    throw *failure;
  }
}

asio::awaitable<void> AsyncInvoker::dispatch_loop() {
  const auto alive = alive_;
  while (*alive && !stopping_) {
    woken_ = false;
    bool store_failed = false;
    try {
      if (co_await dispatch_once()) continue;
    } catch (const queue::Error& e) {
      // A full disk, say: nothing is lost (what is leased stays so), the loop tries again.
      if (!store_failing_) spdlog::error("async queue: the store cannot be written: {}", e.what());
      store_failing_ = store_failed = true;
    }
    if (!*alive) co_return;
    if (!store_failed && store_failing_) {
      store_failing_ = false;
      spdlog::info("async queue: the store can be written again");
    }
    milliseconds wait = store_failed || !orphans_.empty() ? milliseconds(1000) : next_wait_;
    wake_timer_.expires_after(std::min(wait, milliseconds(3'600'000)));
    co_await wake_timer_.async_wait(kAwait);
  }
}

asio::awaitable<bool> AsyncInvoker::dispatch_once() {
  const auto alive = alive_;
  // Leases whose end could not be written: given back first (the event runs again: at least
  // once).
  while (!orphans_.empty()) {
    co_await engine_.release(orphans_.back(), 0, std::nullopt, true);
    orphans_.pop_back();
    if (!*alive) co_return false;
  }
  const size_t room = settings_.max_in_flight - std::min(in_flight_, settings_.max_in_flight);
  std::vector<queue::Message> leased;
  if (room > 0) leased = co_await engine_.lease(kQueue, room, kLeaseMs);
  if (!*alive) co_return false;
  for (queue::Message& m : leased) {
    ++in_flight_;
    asio::co_spawn(scheduler_.executor(), run(std::move(m)), asio::detached);
  }
  if (stopping_ || (room > 0 && leased.size() == room) || woken_) co_return true;
  if (engine_.now_ms() - oldest_checked_ms_ >= 1000) {  // for the metric, at most once a second
    oldest_checked_ms_ = engine_.now_ms();
    oldest_enqueued_ms_ = (co_await engine_.counts(kQueue)).oldest_enqueued_ms;
    if (!*alive) co_return false;
  }
  next_wait_ = milliseconds(3'600'000);
  if (room > 0) {
    const std::optional<int64_t> next = co_await engine_.next_visible(kQueue);
    if (!*alive) co_return false;
    if (woken_) co_return true;
    if (next) next_wait_ = milliseconds(std::max<int64_t>(*next - engine_.now_ms(), 1));
  }
  co_return false;
}

asio::awaitable<void> AsyncInvoker::run(queue::Message message) {
  const auto alive = alive_;
  Event event{.message = std::move(message), .attributes = {}, .policy = {}};
  std::string broken;
  bool store_failed = false;
  try {
    event.attributes = parse_attributes(event.message.attributes);
    event.policy = policy_(event.attributes.function, event.attributes.qualifier);
    co_await attempt(event);
  } catch (const queue::Error& e) {
    store_failed = true;
    broken = e.what();
  } catch (const std::exception& e) {
    broken = e.what();
  }
  if (!*alive) co_return;
  if (!broken.empty() && !store_failed) {
    // Not the function's doing (this lambdad has a bug): kept, not retried in a loop;
    // `lambdad events` shows it and can redrive it.
    spdlog::error("async invocation {}: {}", event.message.id, broken);
    try {
      co_await engine_.settle(event.message.receipt(), queue::Settle::kPark, "InternalError",
                              std::nullopt, {});
    } catch (const queue::Error& e) {
      store_failed = true;
      broken = e.what();
    }
    if (!*alive) co_return;
  }
  if (store_failed) {
    // Its outcome could not be written: the dispatcher gives the lease back once the store
    // takes writes again.
    spdlog::warn("async invocation {}: its outcome is not stored ({}); it runs again later",
                 event.message.id, broken);
    orphans_.push_back(event.message.receipt());
  }
  --in_flight_;
  wake();
}

asio::awaitable<void> AsyncInvoker::attempt(Event& event) {
  const queue::Message& m = event.message;
  EventAttributes& a = event.attributes;
  const int64_t now = engine_.now_ms();
  const int64_t max_age_ms = 1000LL * event.policy.max_event_age_s.value_or(
                                          static_cast<int>(settings_.max_event_age.count()));
  if (now - m.enqueued_ms >= max_age_ms) {
    co_await fail(event, "EventAgeExceeded");
    co_return;
  }
  if (event.policy.disabled) {  // reserved concurrency 0: no attempt, no retry (AWS)
    co_await fail(event, "RetriesExhausted");
    co_return;
  }
  scheduler::InvokeRequest request{.function = a.function,
                                   .qualifier = a.qualifier,
                                   .payload = m.body,
                                   .invocation_type = "Event",
                                   .tail = false,
                                   .client_context = a.client_context,
                                   .request_id = m.id};
  std::optional<scheduler::InvokeResult> result;
  std::optional<AwsError> error;
  try {
    result = co_await scheduler_.invoke(std::move(request));
  } catch (const AwsError& e) {
    error = e;
  }
  if (result && result->outcome == worker::Outcome::kSuccess) {
    co_await succeed(event, *result);
    co_return;
  }
  if (stopping_ || scheduler_.shutting_down()) {
    // Cut off by the shutdown (its worker stopped, or never started): not an attempt; it runs
    // first after the restart.
    co_await engine_.release(m.receipt(), 0, std::nullopt, true);
    co_return;
  }
  if (result) {
    a.function_errors += 1;
    a.last_error = error_type_of(result->payload);
    a.last_response = LastResponse{.status_code = 200,
                                   .executed_version = result->executed_version,
                                   .function_error = "Unhandled",
                                   .payload = result->payload};
    const int max_retries = event.policy.max_retries.value_or(settings_.max_retries);
    if (a.function_errors > max_retries) {
      co_await fail(event, "RetriesExhausted");
    } else {
      co_await retry_later(event, settings_.retry_base * a.function_errors, true);
    }
    co_return;
  }
  a.last_error = error->type;
  if (error->status == 429 || error->status >= 500) {
    const milliseconds backoff =
        a.throttle_ms ? std::min(milliseconds(a.throttle_ms * 2), settings_.throttle_most)
                      : settings_.throttle_first;
    a.throttle_ms = backoff.count();
    if (now + backoff.count() - m.enqueued_ms >= max_age_ms) {
      co_await fail(event, "EventAgeExceeded");
    } else {
      co_await retry_later(event, backoff, false);
    }
    co_return;
  }
  // The function is gone, or its name no longer resolves: AWS drops such events.
  spdlog::warn("async invocation {} of {} dropped: {}", m.id, a.function, error->message);
  ++dropped_;
  if (co_await engine_.settle(m.receipt(), queue::Settle::kDelete, "", std::nullopt, {})) {
    finished(counted_bytes(m, a));
  }
}

asio::awaitable<void> AsyncInvoker::retry_later(Event& event, milliseconds delay,
                                                bool counts_as_attempt) {
  ++retries_;
  co_await engine_.release(event.message.receipt(), engine_.now_ms() + delay.count(),
                           to_text(event.attributes), !counts_as_attempt);
}

asio::awaitable<void> AsyncInvoker::succeed(Event& event, const scheduler::InvokeResult& result) {
  const queue::Message& m = event.message;
  std::vector<queue::NewMessage> then;
  if (!event.policy.on_success.empty()) {
    const LastResponse response{.status_code = 200,
                                .executed_version = result.executed_version,
                                .function_error = "",
                                .payload = result.payload};
    const nlohmann::json record = destination_record(
        m.id,
        function_arn(event.attributes.function,
                     event.attributes.qualifier.empty() ? "$LATEST" : event.attributes.qualifier),
        "Success", m.receive_count, engine_.now_ms(), m.body, &response);
    std::string why;
    if (auto message = destination_message(event.policy.on_success, record.dump(), &why)) {
      then.push_back(std::move(*message));
    } else {
      spdlog::warn("async invocation {} of {}: OnSuccess record not sent: {}", m.id,
                   event.attributes.function, why);
    }
  }
  if (co_await engine_.settle(m.receipt(), queue::Settle::kDelete, "", std::nullopt,
                              std::move(then))) {
    finished(counted_bytes(m, event.attributes));
  }
}

asio::awaitable<void> AsyncInvoker::fail(Event& event, const std::string& condition) {
  const queue::Message& m = event.message;
  const EventAttributes& a = event.attributes;
  // Attempts made: each lease that reached an invocation (throttles gave theirs back).
  const int invokes =
      condition == "RetriesExhausted" && event.policy.disabled ? 0 : std::max(0, a.function_errors);
  std::vector<queue::NewMessage> then;
  std::string why;
  if (!event.policy.on_failure.empty()) {
    const nlohmann::json record = destination_record(
        m.id, function_arn(a.function, a.qualifier.empty() ? "$LATEST" : a.qualifier), condition,
        invokes, engine_.now_ms(), m.body, a.last_response ? &*a.last_response : nullptr);
    if (auto message = destination_message(event.policy.on_failure, record.dump(), &why)) {
      then.push_back(std::move(*message));
    }
  } else if (!event.policy.dead_letter.empty()) {
    // A dead-letter queue receives the event itself.
    if (auto message = destination_message(event.policy.dead_letter, m.body, &why)) {
      then.push_back(std::move(*message));
    }
  }
  ++dead_lettered_;
  const bool delivered = !then.empty();
  if (delivered) ++delivered_;
  spdlog::warn("async invocation {} of {} failed after {} attempts ({}){}", m.id, a.function,
               invokes, condition,
               delivered ? ": sent to its failure destination"
                         : ": kept in the failed events (lambdad events)" +
                               (why.empty() ? std::string() : "; " + why));
  // Without a destination it can reach, the event is parked: listed and redriven by
  // `lambdad events`, where AWS would drop it.
  if (co_await engine_.settle(m.receipt(),
                              delivered ? queue::Settle::kDelete : queue::Settle::kPark, condition,
                              to_text(a), std::move(then))) {
    finished(counted_bytes(m, a));
  }
}

void AsyncInvoker::finished(size_t bytes) {
  events_ -= std::min<size_t>(events_, 1);
  bytes_ -= std::min(bytes_, bytes);
}

asio::awaitable<std::vector<EventSummary>> AsyncInvoker::list(bool parked, size_t limit) {
  std::vector<queue::Message> messages = co_await engine_.list(
      kQueue, parked ? queue::State::kParked : queue::State::kReady, limit, 0);
  std::vector<EventSummary> summaries;
  for (const queue::Message& m : messages) {
    const EventAttributes a = parse_attributes(m.attributes);
    const bool running = m.visible_ms > engine_.now_ms() + kLeaseMs / 2;
    summaries.push_back({.seq = m.seq,
                         .request_id = m.id,
                         .function = a.function,
                         .qualifier = a.qualifier,
                         .enqueued_ms = m.enqueued_ms,
                         .next_attempt_ms = running ? 0 : m.visible_ms,
                         .attempts = a.function_errors,
                         .running = running,
                         .failure = m.reason,
                         .last_error = a.last_error});
  }
  co_return summaries;
}

asio::awaitable<int64_t> AsyncInvoker::redrive(std::vector<int64_t> seqs) {
  // A redriven event starts afresh: its age and its retries are counted again from now.
  const int64_t moved = co_await engine_.unpark(kQueue, std::move(seqs));
  const queue::Counts counts = co_await engine_.counts(kQueue);
  events_ = static_cast<size_t>(counts.ready);
  bytes_ = static_cast<size_t>(counts.bytes) + events_ * kEventOverhead;
  co_return moved;
}

asio::awaitable<int64_t> AsyncInvoker::purge_parked() {
  co_return co_await engine_.purge(kQueue, queue::State::kParked);
}

std::string AsyncInvoker::metrics() const {
  auto line = [](std::string& text, const char* name, const char* type, const char* help,
                 uint64_t value) {
    text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
            name + " " + std::to_string(value) + "\n";
  };
  std::string text;
  line(text, "lambdad_async_queue_events", "gauge",
       "Event invocations stored and not finished (waiting, running or waiting for a retry).",
       events_);
  line(text, "lambdad_async_queue_bytes", "gauge",
       "Bytes the async queue counts against its bound (payloads, overhead).", bytes_);
  const int64_t oldest_age_ms = oldest_enqueued_ms_ && events_
                                    ? std::max<int64_t>(engine_.now_ms() - oldest_enqueued_ms_, 0)
                                    : 0;
  text +=
      "# HELP lambdad_async_oldest_event_age_seconds Age of the oldest stored Event invocation "
      "(refreshed each second).\n# TYPE lambdad_async_oldest_event_age_seconds gauge\n"
      "lambdad_async_oldest_event_age_seconds " +
      std::to_string(oldest_age_ms / 1000.0) + "\n";
  line(text, "lambdad_async_events_in_flight", "gauge", "Event invocations running now.",
       in_flight_);
  line(text, "lambdad_async_events_rejected_total", "counter",
       "Event invokes answered 429 because the async queue was full.", rejected_);
  line(text, "lambdad_async_retries_total", "counter",
       "Event invocations put back for a retry (function errors, throttles).", retries_);
  line(text, "lambdad_async_events_failed_total", "counter",
       "Event invocations that failed for good (retries exhausted, too old).", dead_lettered_);
  line(text, "lambdad_async_events_sent_to_failure_destination_total", "counter",
       "Failed Event invocations delivered to an OnFailure destination or a dead-letter queue.",
       delivered_);
  line(text, "lambdad_async_events_dropped_total", "counter",
       "Event invocations dropped because their function no longer exists (as AWS does).",
       dropped_);
  const queue::Engine::Stats engine = engine_.stats();
  line(text, "lambdad_queue_transactions_total", "counter",
       "Transactions the queue engine committed (one per group commit).", engine.transactions);
  line(text, "lambdad_queue_operations_total", "counter",
       "Operations the queue engine ran (enqueues, leases, settles, …).", engine.operations);
  return text;
}

}  // namespace lambdad::async
