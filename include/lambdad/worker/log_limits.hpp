#pragma once
/// @brief Caps on a function's log volume, as Lambda throttles logging: a byte rate shared by all
/// the function's workers (a token bucket), so one function can neither fill the disk nor starve
/// another's logs, and a cap per invocation. A line over either is dropped, never waited for (the
/// worker's pipe is still read, so the function does not block because of a cap), and counted;
/// the worker then writes one `LOGS_DROPPED` line saying how much was dropped and why.
///
/// Thread safety: none; the io thread owns every worker and the rates they share.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lambdad::worker {

struct LogLimits {
  /// Bytes per second the workers of one function may log together; 0: no limit. The bucket
  /// holds one second of it (and at least one whole 256 KB line), starting full.
  uint64_t bytes_per_second = 10ull << 20;
  /// Bytes one invocation may log, from its START to the next invocation's (the lines a
  /// function writes after answering count to the call they follow); a worker's init counts as
  /// one. 0: no limit.
  uint64_t invocation_bytes = 32ull << 20;
};

/// What a line costs against both limits: its bytes plus 26, as CloudWatch Logs counts an event
/// (a flood of empty lines costs rows on disk even without text).
inline constexpr uint64_t kLogEventOverhead = 26;

enum class DropReason { kRateLimit, kInvocationLimit };

/// The token bucket the workers of one function share (all its versions, across redeploys),
/// with the bytes it made them drop.
class LogRate {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogRate(LogLimits limits, Clock::time_point now = Clock::now());

  /// Takes `bytes` tokens at `now` if the bucket holds them.
  bool try_take(uint64_t bytes, Clock::time_point now);
  const LogLimits& limits() const { return limits_; }

  void count_drop(DropReason reason, uint64_t bytes);
  /// Message bytes dropped so far for `reason` (lambdad_log_bytes_dropped_total).
  uint64_t dropped(DropReason reason) const;

 private:
  LogLimits limits_;
  double capacity_ = 0;
  double tokens_ = 0;
  Clock::time_point refilled_at_;
  uint64_t dropped_[2] = {0, 0};
};

/// One worker's side of the limits: the current invocation's count and what was dropped since
/// the last marker line.
class LogBudget {
 public:
  using Clock = LogRate::Clock;

  /// `rate` null: nothing is ever dropped.
  explicit LogBudget(std::shared_ptr<LogRate> rate);

  /// Whether `line` may be stored; a dropped line is counted for the next marker.
  bool admit(std::string_view line, Clock::time_point now);
  /// An invocation starts (its START line): the per-invocation count starts again.
  void new_invocation();

  bool has_dropped() const { return dropped_bytes_ > 0 || dropped_lines_ > 0; }
  /// The marker line for what was dropped since the last one, `request_id` being the invocation
  /// the lines belonged to ("" outside one), and resets the counts; "" when nothing was dropped.
  std::string take_marker(std::string_view request_id);
  /// When the first line dropped since the last marker was.
  Clock::time_point dropping_since() const { return dropping_since_; }

 private:
  std::shared_ptr<LogRate> rate_;
  uint64_t invocation_bytes_ = 0;   ///< the cost admitted since the invocation started
  bool invocation_capped_ = false;  ///< the invocation reached its cap: the rest is dropped
  uint64_t dropped_bytes_ = 0;
  uint64_t dropped_lines_ = 0;
  bool dropped_for_rate_ = false;
  bool dropped_for_invocation_ = false;
  Clock::time_point dropping_since_{};
};

/// `LOGS_DROPPED RequestId: <id>\tDropped Bytes: N\tDropped Lines: M\tReason: …` (without the
/// RequestId field outside an invocation).
std::string logs_dropped_line(std::string_view request_id, uint64_t bytes, uint64_t lines,
                              bool rate, bool invocation, const LogLimits& limits);

}  // namespace lambdad::worker
