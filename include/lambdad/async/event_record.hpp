#pragma once
/// @brief What the queue keeps beside an event's payload (its attributes), AWS's destination
/// record, and the message a destination ARN receives.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lambdad/queue/message.hpp"

namespace lambdad::async {

/// The last invocation's answer, kept for the destination record.
struct LastResponse {
  int status_code = 200;
  std::string executed_version;
  std::string function_error;  ///< "Unhandled", or "" on success
  std::string payload;
};

/// An event's attributes in the queue (JSON text), rewritten at each retry.
struct EventAttributes {
  std::string function;   ///< the function's exact name
  std::string qualifier;  ///< as the caller gave it; "" for none
  std::string client_context;
  int function_errors = 0;  ///< attempts that ended in a function error or a timeout
  int64_t throttle_ms = 0;  ///< the last throttle's back-off; 0 before any
  std::string last_error;   ///< what the last attempt ended in, for `lambdad events`
  std::optional<LastResponse> last_response;
};

std::string to_text(const EventAttributes& attributes);
/// Attributes stored by this lambdad; a malformed text is a broken invariant (throws).
EventAttributes parse_attributes(const std::string& text);

/// AWS's invocation record for a destination: `condition` is Success, RetriesExhausted or
/// EventAgeExceeded; `response` is omitted when no invocation answered.
nlohmann::json destination_record(const std::string& request_id, const std::string& function_arn,
                                  const std::string& condition, int approximate_invoke_count,
                                  int64_t now_ms, const std::string& request_payload,
                                  const LastResponse* response);

/// The message that delivers `body` to the destination `arn`: an Event invoke of a function
/// (`arn:…:lambda:…:function:NAME[:QUALIFIER]`). Nullopt, with `why` set, for a destination
/// lambdad cannot deliver to.
std::optional<queue::NewMessage> destination_message(const std::string& arn, std::string body,
                                                     std::string* why);

}  // namespace lambdad::async
