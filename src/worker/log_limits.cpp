#include "lambdad/worker/log_limits.hpp"

#include <algorithm>

namespace lambdad::worker {
namespace {

/// The longest line a log pipe hands over (longer ones are split): the bucket always holds one,
/// so a low rate still lets whole lines through rather than none.
constexpr uint64_t kMaxLineCost = 256 * 1024 + kLogEventOverhead;

std::string size_text(uint64_t bytes) {
  constexpr uint64_t kMiB = 1ull << 20;
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MB";
  return std::to_string(bytes) + " bytes";
}

size_t index(DropReason reason) {
  return reason == DropReason::kRateLimit ? 0 : 1;
}

}  // namespace

LogRate::LogRate(LogLimits limits, Clock::time_point now)
    : limits_(limits),
      capacity_(static_cast<double>(std::max(limits.bytes_per_second, kMaxLineCost))),
      tokens_(capacity_),
      refilled_at_(now) {}

bool LogRate::try_take(uint64_t bytes, Clock::time_point now) {
  if (limits_.bytes_per_second == 0) return true;
  if (now > refilled_at_) {
    const double seconds = std::chrono::duration<double>(now - refilled_at_).count();
    tokens_ =
        std::min(capacity_, tokens_ + seconds * static_cast<double>(limits_.bytes_per_second));
    refilled_at_ = now;
  }
  const auto cost = static_cast<double>(bytes);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

void LogRate::count_drop(DropReason reason, uint64_t bytes) {
  dropped_[index(reason)] += bytes;
}

uint64_t LogRate::dropped(DropReason reason) const {
  return dropped_[index(reason)];
}

LogBudget::LogBudget(std::shared_ptr<LogRate> rate) : rate_(std::move(rate)) {}

bool LogBudget::admit(std::string_view line, Clock::time_point now) {
  if (!rate_) return true;
  const uint64_t cost = line.size() + kLogEventOverhead;
  const uint64_t cap = rate_->limits().invocation_bytes;
  // The invocation's cap first: its lines over it take nothing from the function's rate, which
  // the function's other workers share.
  if (!invocation_capped_ && cap > 0 && invocation_bytes_ + cost > cap) invocation_capped_ = true;
  DropReason reason = DropReason::kInvocationLimit;
  if (!invocation_capped_) {
    if (rate_->try_take(cost, now)) {
      invocation_bytes_ += cost;
      return true;
    }
    reason = DropReason::kRateLimit;
  }
  rate_->count_drop(reason, line.size());
  if (!has_dropped()) dropping_since_ = now;
  dropped_bytes_ += line.size();
  dropped_lines_ += 1;
  (reason == DropReason::kRateLimit ? dropped_for_rate_ : dropped_for_invocation_) = true;
  return false;
}

void LogBudget::new_invocation() {
  invocation_bytes_ = 0;
  invocation_capped_ = false;
}

std::string LogBudget::take_marker(std::string_view request_id) {
  if (!has_dropped()) return {};
  std::string line = logs_dropped_line(request_id, dropped_bytes_, dropped_lines_,
                                       dropped_for_rate_, dropped_for_invocation_, rate_->limits());
  dropped_bytes_ = dropped_lines_ = 0;
  dropped_for_rate_ = dropped_for_invocation_ = false;
  return line;
}

std::string logs_dropped_line(std::string_view request_id, uint64_t bytes, uint64_t lines,
                              bool rate, bool invocation, const LogLimits& limits) {
  std::string line = "LOGS_DROPPED ";
  if (!request_id.empty()) line.append("RequestId: ").append(request_id).append("\t");
  line += "Dropped Bytes: " + std::to_string(bytes);
  line += "\tDropped Lines: " + std::to_string(lines);
  line += "\tReason: ";
  if (invocation) {
    line += "the invocation logged more than " + size_text(limits.invocation_bytes) +
            " (serve --log-invocation-limit)";
  }
  if (rate) {
    if (invocation) line += "; ";
    line += "the function logged more than " + size_text(limits.bytes_per_second) +
            "/s (serve --log-rate-limit)";
  }
  return line;
}

}  // namespace lambdad::worker
