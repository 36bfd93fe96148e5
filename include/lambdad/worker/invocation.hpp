#pragma once
/// @brief One invocation on its way through a worker. Created by the scheduler, filled in by the
/// worker, awaited by the invoker through `wake` (a timer whose expiry is the deadline: the worker
/// cancels it to say "done", expiry means "timed out").

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "lambdad/worker/outcome.hpp"

namespace lambdad::worker {

struct Invocation {
  explicit Invocation(boost::asio::any_io_executor executor) : wake(executor) {}

  // Set by the invoker.
  std::string request_id;
  std::string payload;
  std::string invoked_arn;     ///< the ARN the caller used, qualifier included
  std::string client_context;  ///< decoded JSON, or empty
  std::string trace_id;
  std::string version;  ///< $LATEST or a number
  std::string invocation_type = "RequestResponse";
  bool tail = false;  ///< keep the last 4 KB of log for X-Amz-Log-Result
  std::chrono::milliseconds timeout{3000};
  boost::asio::steady_timer wake;

  // Set by the worker.
  bool delivered = false;
  bool done = false;
  bool waited_for_init = false;
  /// Set (and `wake` cancelled) by a warm worker that exited after taking the invocation but
  /// before its runtime asked for it (/next): the scheduler gives it to another worker, once.
  bool redirect = false;
  bool redirected = false;
  std::optional<double> init_duration_ms;
  std::chrono::steady_clock::time_point delivered_at{};
  std::chrono::steady_clock::time_point finished_at{};
  long long start_epoch_ms = 0;
  Outcome outcome = Outcome::kPending;
  std::string response;    ///< the function's payload, or the error JSON
  std::string error_type;  ///< errorType for the record
  std::string tail_log;    ///< the log's last 4 KB when `tail`

  void append_tail(std::string_view line) {
    if (!tail) return;
    tail_log.append(line).push_back('\n');
    if (tail_log.size() > 4096) tail_log.erase(0, tail_log.size() - 4096);
  }
};

}  // namespace lambdad::worker
