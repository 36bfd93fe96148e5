#pragma once
/// @brief Identifiers in AWS's formats, from a per-thread PRNG (not for secrets).

#include <chrono>
#include <string>

namespace lambdad {

std::string new_request_id();           ///< UUID v4, e.g. 8f5a…-…
std::string random_hex(size_t digits);  ///< lower-case hex
/// X-Ray trace header: Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>;Sampled=0
std::string new_trace_header();

inline long long epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Account id lambdad reports in ARNs (the same one SAM's local tools use).
inline constexpr const char* kAccountId = "123456789012";
/// The region from AWS_REGION / AWS_DEFAULT_REGION, else us-east-1.
const std::string& region();
std::string function_arn(std::string_view function, std::string_view qualifier = {});

}  // namespace lambdad
