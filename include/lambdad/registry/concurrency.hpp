#pragma once
/// @brief Reserved concurrency as the Lambda API sets it (PutFunctionConcurrency): the rules a
/// reservation must keep, and what GetAccountSettings reports. Pure functions; the registry's
/// state lives in registry.hpp and src/registry/concurrency.cpp.
///
/// The server's limit (`serve --max-concurrency`) is the account's `ConcurrentExecutions`.
/// Reservations may take all of it but a minimum that stays unreserved for the functions without
/// one: AWS keeps 100 of an account's usual 1,000 (and all of a smaller account's limit, so a new
/// account's 10 or 50 can reserve nothing); lambdad keeps a tenth of its limit, rounded up, and
/// never more than AWS's 100 (1,000 → 100, 10 → 1, 1 → 1), so a small server can reserve.

#include <cstdint>
#include <optional>

#include "lambdad/common/function_config.hpp"

namespace lambdad::registry {

/// What reservations must leave unreserved under a server-wide limit of `limit` executions.
int unreserved_minimum(int limit);

/// Throws AwsError InvalidParameterValueException, with Lambda's messages, when reserving
/// `reserved` executions for a function would leave the unreserved pool below its minimum
/// (`reserved_by_others`: what every other function reserves; a request that does not raise the
/// function's `current` reservation is never refused for that, so a server started with a
/// smaller limit can still lower its reservations), or is below the concurrency provisioned for
/// the function's versions.
void check_reservation(int limit, long long reserved_by_others, std::optional<int> current,
                       int reserved, int provisioned);

/// Whether two configurations differ at most in their reservation (a template's
/// ReservedConcurrentExecutions included), which RevisionId does not cover.
bool same_apart_from_reservation(const FunctionConfig& a, const FunctionConfig& b);

/// GetAccountSettings' figures.
struct AccountFigures {
  int concurrency_limit = 0;    ///< AccountLimit.ConcurrentExecutions
  int unreserved = 0;           ///< AccountLimit.UnreservedConcurrentExecutions
  uint64_t code_bytes = 0;      ///< AccountUsage.TotalCodeSize: the uploaded zips kept
  uint64_t function_count = 0;  ///< AccountUsage.FunctionCount: template and API functions
};

/// AWS's default quotas that GetAccountSettings reports beside the concurrency.
inline constexpr uint64_t kTotalCodeSizeLimit = 80530636800;   ///< 75 GB
inline constexpr uint64_t kCodeSizeUnzippedLimit = 262144000;  ///< 250 MB
inline constexpr uint64_t kCodeSizeZippedLimit = 52428800;     ///< 50 MB

}  // namespace lambdad::registry
