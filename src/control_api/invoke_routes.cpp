// Invoke (POST /2015-03-31/functions/{name}/invocations) and the lambda port's body limits.

#include <charconv>

#include <nlohmann/json.hpp>

#include "lambdad/async/async_invoker.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

using http::bhttp::verb;

constexpr uint64_t kSyncPayloadLimit = 6291456;
constexpr uint64_t kAsyncPayloadLimit = 1048576;
constexpr size_t kClientContextLimit = 3583;
constexpr std::string_view kFunctions = "/2015-03-31/functions";

bool is_invoke(const http::RequestHeader& header) {
  std::string_view target = header.target();
  std::string_view path = target.substr(0, target.find('?'));
  return header.method() == verb::post && path.starts_with(kFunctions) &&
         path.ends_with("/invocations");
}

std::string validate_payload(std::string body) {
  if (body.empty()) return "{}";
  if (!nlohmann::json::accept(body)) {
    try {
      auto discarded = nlohmann::json::parse(body);
      (void)discarded;
    } catch (const nlohmann::json::parse_error& e) {
      throw errors::invalid_request_content(
          std::string(
              "Could not parse request body into json: Could not parse payload into json: ") +
          e.what());
    }
  }
  return body;
}

/// CreateFunction, UpdateFunctionCode and PublishLayerVersion carry a zip in base64: their
/// operation's name, else empty.
std::string_view upload_operation(const http::RequestHeader& header) {
  std::string_view target = header.target();
  std::string_view path = target.substr(0, target.find('?'));
  constexpr std::string_view kLayers = "/2018-10-31/layers/";
  if (header.method() == verb::post && path.starts_with(kLayers) && path.ends_with("/versions") &&
      path.find('/', kLayers.size()) == path.size() - 9) {
    return "PublishLayerVersion";
  }
  if (!path.starts_with(kFunctions)) return {};
  path.remove_prefix(kFunctions.size());
  if (header.method() == verb::post && (path.empty() || path == "/")) return "CreateFunction";
  if (header.method() == verb::put && path.ends_with("/code") &&
      path.find('/', 1) == path.size() - 5) {
    return "UpdateFunctionCode";
  }
  return {};
}

}  // namespace

http::BodyPolicy body_policy(const http::RequestHeader& header) {
  http::BodyPolicy policy{.limit = 8u << 20};
  if (const auto operation = upload_operation(header); !operation.empty()) {
    policy.limit = kUploadBodyLimit;
    uint64_t length = 0;
    auto text = header[http::bhttp::field::content_length];
    if (!text.empty() &&
        std::from_chars(text.data(), text.data() + text.size(), length).ec == std::errc() &&
        length > kUploadBodyLimit) {
      policy.reject = http::lambda_error(header, upload_too_large(operation), new_request_id());
    }
    return policy;
  }
  if (!is_invoke(header)) return policy;
  policy.limit = kSyncPayloadLimit;
  uint64_t length = 0;
  auto text = header[http::bhttp::field::content_length];
  if (!text.empty() &&
      std::from_chars(text.data(), text.data() + text.size(), length).ec == std::errc() &&
      length > kSyncPayloadLimit) {
    std::string type(header["X-Amz-Invocation-Type"]);
    policy.reject = http::lambda_error(
        header,
        errors::request_too_large(length, type.empty() ? "RequestResponse" : type,
                                  type == "Event" ? kAsyncPayloadLimit : kSyncPayloadLimit),
        new_request_id());
  }
  return policy;
}

http::Response body_too_large(const http::RequestHeader& header) {
  if (const auto operation = upload_operation(header); !operation.empty()) {
    return http::lambda_error(header, upload_too_large(operation), new_request_id());
  }
  return http::lambda_error(
      header,
      errors::request_too_large(kSyncPayloadLimit + 1, "RequestResponse", kSyncPayloadLimit),
      new_request_id());
}

http::asio::awaitable<http::Response> invoke(ApiState& api, Call& c) {
  http::Request& request = c.request;
  scheduler::InvokeRequest call;
  call.request_id = c.request_id;  // a copy: an error answer carries it too
  call.function = path_param(c.params[0]);
  call.qualifier = query_param(c.query, "Qualifier");
  std::string type(request["X-Amz-Invocation-Type"]);
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    throw errors::invalid_parameter("Unsupported invocation type " + type);
  }
  std::string log_type(request["X-Amz-Log-Type"]);
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    throw errors::invalid_parameter("Unsupported log type " + log_type);
  }
  call.tail = log_type == "Tail" && type == "RequestResponse";
  if (auto context = request["X-Amz-Client-Context"]; !context.empty()) {
    auto decoded = base64_decode(context);
    if (!decoded || decoded->size() > kClientContextLimit || !nlohmann::json::accept(*decoded)) {
      throw errors::invalid_request_content(
          "Client context must be a valid Base64-encoded JSON object of at most 3583 bytes");
    }
    call.client_context = std::move(*decoded);
  }
  if (type == "Event" && request.body().size() > kAsyncPayloadLimit) {
    throw errors::request_too_large(request.body().size(), "Event", kAsyncPayloadLimit);
  }
  if (type == "Event") {
    if (!api.async) throw errors::service("this server does not take Event invocations");
    // An overloaded queue answers before the payload is parsed: turning callers away is cheap.
    api.scheduler.check_exists(call.function, call.qualifier);
    api.async->check_room(request.body().size() + call.client_context.size());
  }
  call.payload = validate_payload(std::move(request.body()));
  call.invocation_type = type;

  if (type != "RequestResponse") {
    api.scheduler.check_exists(call.function, call.qualifier);
    http::Response r{
        type == "DryRun" ? http::bhttp::status::no_content : http::bhttp::status::accepted,
        request.version()};
    r.keep_alive(request.keep_alive());
    r.set("x-amzn-RequestId", call.request_id);
    // Committed to the queue before the 202 leaves.
    if (type == "Event") co_await api.async->enqueue(std::move(call));
    co_return r;
  }
  scheduler::InvokeResult result = co_await api.scheduler.invoke(std::move(call));
  auto r = http::make_response(request, 200, std::move(result.payload));
  r.set("x-amzn-RequestId", result.request_id);
  r.set("X-Amz-Executed-Version", result.executed_version);
  if (!result.function_error.empty()) r.set("X-Amz-Function-Error", result.function_error);
  if (!result.log_tail.empty()) r.set("X-Amz-Log-Result", base64_encode(result.log_tail));
  co_return r;
}

}  // namespace lambdad::control_api
