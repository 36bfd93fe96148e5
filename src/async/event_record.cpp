#include "lambdad/async/event_record.hpp"

#include "lambdad/async/async_invoker.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/platform_log.hpp"

namespace lambdad::async {

using json = nlohmann::json;

namespace {

/// A payload as the record shows it: JSON when it is JSON (every Invoke payload is), else text.
json as_json(const std::string& payload) {
  json parsed = json::parse(payload, nullptr, false);
  return parsed.is_discarded() ? json(payload) : parsed;
}

/// The ARN's part after `arn:PARTITION:SERVICE:REGION:ACCOUNT:`, when it is of `service`.
std::optional<std::string> resource_of(const std::string& arn, const std::string& service) {
  size_t pos = 0;
  for (int field = 0; field < 5; ++field) {
    const size_t colon = arn.find(':', pos);
    if (colon == std::string::npos) return std::nullopt;
    if (field == 0 && arn.substr(0, colon) != "arn") return std::nullopt;
    if (field == 2 && arn.substr(pos, colon - pos) != service) return std::nullopt;
    pos = colon + 1;
  }
  return arn.substr(pos);
}

}  // namespace

std::string to_text(const EventAttributes& a) {
  json j = {{"function", a.function}, {"qualifier", a.qualifier}};
  if (!a.client_context.empty()) j["clientContext"] = a.client_context;
  if (a.function_errors) j["functionErrors"] = a.function_errors;
  if (a.throttle_ms) j["throttleMs"] = a.throttle_ms;
  if (!a.last_error.empty()) j["lastError"] = a.last_error;
  if (const auto& r = a.last_response) {
    j["lastResponse"] = {{"statusCode", r->status_code},
                         {"executedVersion", r->executed_version},
                         {"functionError", r->function_error},
                         {"payload", r->payload}};
  }
  return j.dump();
}

EventAttributes parse_attributes(const std::string& text) {
  const json j = json::parse(text);
  EventAttributes a;
  a.function = j.at("function").get<std::string>();
  a.qualifier = j.value("qualifier", "");
  a.client_context = j.value("clientContext", "");
  a.function_errors = j.value("functionErrors", 0);
  a.throttle_ms = j.value("throttleMs", int64_t{0});
  a.last_error = j.value("lastError", "");
  if (auto it = j.find("lastResponse"); it != j.end()) {
    a.last_response = LastResponse{.status_code = it->value("statusCode", 200),
                                   .executed_version = it->value("executedVersion", ""),
                                   .function_error = it->value("functionError", ""),
                                   .payload = it->value("payload", "")};
  }
  return a;
}

json destination_record(const std::string& request_id, const std::string& function_arn,
                        const std::string& condition, int approximate_invoke_count, int64_t now_ms,
                        const std::string& request_payload, const LastResponse* response) {
  json record = {
      {"version", "1.0"},
      {"timestamp", iso8601_ms(now_ms)},
      {"requestContext",
       {{"requestId", request_id},
        {"functionArn", function_arn},
        {"condition", condition},
        {"approximateInvokeCount", approximate_invoke_count}}},
      {"requestPayload", as_json(request_payload)},
  };
  if (response) {
    json context = {{"statusCode", response->status_code},
                    {"executedVersion", response->executed_version}};
    if (!response->function_error.empty()) context["functionError"] = response->function_error;
    record["responseContext"] = std::move(context);
    record["responsePayload"] = as_json(response->payload);
  }
  return record;
}

std::optional<queue::NewMessage> destination_message(const std::string& arn, std::string body,
                                                     std::string* why) {
  if (auto resource = resource_of(arn, "lambda"); resource && resource->starts_with("function:")) {
    FunctionName target;
    try {
      target = parse_function_name(arn);
    } catch (const std::exception&) {
      *why = "destination " + arn + " is not a function ARN";
      return std::nullopt;
    }
    EventAttributes attributes{.function = target.name, .qualifier = target.qualifier};
    return queue::NewMessage{.queue = kQueue,
                             .id = new_request_id(),
                             .body = std::move(body),
                             .attributes = to_text(attributes)};
  }
  for (const char* service : {"sqs", "sns", "events"}) {
    if (resource_of(arn, service)) {
      *why = std::string("destination ") + arn + ": lambdad does not deliver to " + service +
             " destinations yet";
      return std::nullopt;
    }
  }
  *why = "destination " + arn + " is not an ARN lambdad can deliver to";
  return std::nullopt;
}

}  // namespace lambdad::async
