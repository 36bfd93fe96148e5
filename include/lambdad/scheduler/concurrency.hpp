#pragma once
/// @brief Concurrency accounting: per-function reserved concurrency and the server-wide limit.
/// Functions with a reservation draw only from it; the others share what the reservations leave
/// of the server-wide limit (the "unreserved pool"), as on AWS. Plain state, no I/O: the
/// scheduler calls it on its thread.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lambdad::scheduler {

class ConcurrencyLimits {
 public:
  explicit ConcurrencyLimits(int server_limit) : server_limit_(server_limit) {}

  /// Declares a function's reservation (nullopt: none; 0: the function is disabled); may change
  /// while invocations are in flight (PutFunctionConcurrency): those finish, and new ones are
  /// counted against the new reservation.
  void set_reserved(const std::string& function, std::optional<int> reserved);
  /// Takes one execution slot; on refusal returns AWS's throttle `Reason`.
  std::optional<std::string> try_acquire(const std::string& function);
  void release(const std::string& function);

  int in_flight(const std::string& function) const;
  int in_flight_total() const { return total_in_flight_; }
  int unreserved_capacity() const;

 private:
  struct Entry {
    std::optional<int> reserved;
    int in_flight = 0;
  };
  int server_limit_;
  long long total_reserved_ = 0;  ///< a template may reserve up to 2^30 for each function
  int total_in_flight_ = 0;
  int unreserved_in_flight_ = 0;
  std::unordered_map<std::string, Entry> functions_;
};

}  // namespace lambdad::scheduler
