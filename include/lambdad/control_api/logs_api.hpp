#pragma once
/// @brief The CloudWatch Logs JSON 1.1 subset that `aws logs tail`, `aws logs filter-log-events`,
/// `get-log-events`, `describe-log-groups` and `describe-log-streams` use, over the store.
/// Log groups are `/aws/lambda/<function>`; a group exists once its function has logged.
///
/// Wire format (routed by the control API): `POST /` with `X-Amz-Target: Logs_20140328.<Op>`,
/// `Content-Type: application/x-amz-json-1.1`, JSON body in and out.

#include <string_view>

#include <nlohmann/json.hpp>

#include "lambdad/store/store.hpp"

namespace lambdad::control_api {

inline constexpr std::string_view kLogsTargetPrefix = "Logs_20140328.";
inline constexpr std::string_view kLogsContentType = "application/x-amz-json-1.1";

/// operation: the part of X-Amz-Target after kLogsTargetPrefix, e.g. FilterLogEvents.
/// request: the parsed body (null is taken as {}).
/// Throws lambdad::AwsError (status 400): ResourceNotFoundException for an unknown log group or
/// stream, InvalidParameterException for bad fields, UnknownOperationException otherwise.
/// Blocks on SQLite: call it off the I/O threads, with a LogReader owned by the calling thread.
nlohmann::json handle_logs_call(std::string_view operation, const nlohmann::json& request,
                                store::LogReader& reader);

}  // namespace lambdad::control_api
