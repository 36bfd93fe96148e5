#pragma once
/// @brief How an invocation ended, and the one table of what each outcome is called: in the
/// invocation record, as AWS's `errorType`, and in log lines.

#include <cstddef>
#include <iterator>
#include <string_view>

namespace lambdad::worker {

enum class Outcome {
  kPending,
  kSuccess,
  kFunctionError,      ///< the runtime posted /error
  kTimeout,            ///< Sandbox.Timedout
  kCrash,              ///< Runtime.ExitError
  kInitError,          ///< the runtime posted /init/error
  kInvalidEntrypoint,  ///< Runtime.InvalidEntrypoint
  kResponseTooLarge,   ///< Function.ResponseSizeTooLarge
};

struct OutcomeNames {
  Outcome outcome;
  std::string_view record;      ///< the invocation record's `outcome` column
  std::string_view error_type;  ///< AWS's errorType; empty when the runtime names the error
  std::string_view described;   ///< for log lines: "a timeout", …
};

/// One row per Outcome, in the enum's order.
inline constexpr OutcomeNames kOutcomeNames[] = {
    {Outcome::kPending, "pending", "", "no answer yet"},
    {Outcome::kSuccess, "success", "", "success"},
    {Outcome::kFunctionError, "error", "", "a function error"},
    {Outcome::kTimeout, "timeout", "Sandbox.Timedout", "a timeout"},
    {Outcome::kCrash, "crash", "Runtime.ExitError", "a crash"},
    {Outcome::kInitError, "error", "", "an init error"},
    {Outcome::kInvalidEntrypoint, "error", "Runtime.InvalidEntrypoint", "an invalid entrypoint"},
    {Outcome::kResponseTooLarge, "error", "Function.ResponseSizeTooLarge", "a response over 6 MB"},
};

constexpr const OutcomeNames& names_of(Outcome outcome) {
  return kOutcomeNames[static_cast<int>(outcome)];
}

constexpr bool table_in_enum_order() {
  for (int i = 0; i < static_cast<int>(std::size(kOutcomeNames)); ++i) {
    if (static_cast<int>(kOutcomeNames[i].outcome) != i) return false;
  }
  return std::size(kOutcomeNames) == static_cast<size_t>(Outcome::kResponseTooLarge) + 1;
}
static_assert(table_in_enum_order(), "kOutcomeNames: one row per Outcome, in the enum's order");

/// The record's name ("success", "timeout", "crash", "error").
constexpr std::string_view record_name(Outcome outcome) {
  return names_of(outcome).record;
}
/// AWS's errorType of an outcome lambdad itself decides; empty for those the runtime names
/// (function and init errors) and for success.
constexpr std::string_view error_type(Outcome outcome) {
  return names_of(outcome).error_type;
}
/// "a function error", "a timeout", … for log lines.
constexpr std::string_view describe(Outcome outcome) {
  return names_of(outcome).described;
}

}  // namespace lambdad::worker
