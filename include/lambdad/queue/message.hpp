#pragma once
/// @brief What the queue engine stores: messages of named queues, their leases and their counts.

#include <cstdint>
#include <string>

namespace lambdad::queue {

/// A message to store. Times are milliseconds since the Unix epoch (they outlive the process).
struct NewMessage {
  std::string queue;  ///< which queue: e.g. "lambda:async" (Event invokes), "sqs:NAME"
  std::string id;     ///< the caller's id for it (a request id, an SQS MessageId)
  std::string body;
  std::string attributes;  ///< JSON text the caller reads back (its own fields)
  std::string group_id;    ///< FIFO message group; empty for none
  int64_t visible_ms = 0;  ///< not handed out before (a delay); 0 = at once
};

/// Which of its two states a stored message is in.
enum class State : int {
  kReady = 0,   ///< waiting, or leased by a consumer
  kParked = 1,  ///< kept after it failed for good, until redriven or purged (`lambdad events`)
};

/// Proof of a lease: only its holder may settle or release the message, and only until the
/// message is leased again.
struct Receipt {
  int64_t seq = 0;
  int64_t lease = 0;
  bool operator==(const Receipt&) const = default;
};

struct Message {
  int64_t seq = 0;  ///< the store's own id, in order of enqueue
  std::string queue;
  std::string id;
  std::string body;
  std::string attributes;
  std::string group_id;
  int64_t enqueued_ms = 0;
  int64_t visible_ms = 0;  ///< while leased: when the lease ends
  int receive_count = 0;   ///< leases taken, the one held included
  int64_t first_received_ms = 0;
  State state = State::kReady;
  std::string reason;  ///< why it was parked
  int64_t lease = 0;   ///< the lease's generation: a new lease makes older receipts stale
  Receipt receipt() const { return {seq, lease}; }
};

struct Counts {
  int64_t ready = 0;  ///< stored and not parked, leased ones included
  int64_t leased = 0;
  int64_t parked = 0;
  int64_t bytes = 0;               ///< bodies and attributes of the ready ones
  int64_t oldest_enqueued_ms = 0;  ///< of the ready ones; 0 when there is none
};

}  // namespace lambdad::queue
