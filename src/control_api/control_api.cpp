#include "lambdad/control_api/control_api.hpp"

#include <charconv>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/control_api/function_json.hpp"
#include "lambdad/control_api/logs_api.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/sandbox/sandbox.hpp"
#include "lambdad/scheduler/pool.hpp"
#include "lambdad/store/store.hpp"

namespace lambdad::control_api {
namespace {

namespace asio = boost::asio;
using http::bhttp::verb;

constexpr uint64_t kSyncPayloadLimit = 6291456;
constexpr uint64_t kAsyncPayloadLimit = 1048576;
constexpr size_t kClientContextLimit = 3583;
constexpr std::string_view kFunctions = "/2015-03-31/functions";

/// The query parameter `key`, percent-decoded ("" when absent).
std::string query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true).value_or("");
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

struct Path {
  std::string_view path;
  std::string_view query;
};

Path split_target(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

AwsError unknown_operation() {
  return {404, "UnknownOperationException", "Unknown operation", AwsError::Key::kMessage};
}

http::Response json_response(const http::Request& request, unsigned status,
                             const nlohmann::json& body, std::string_view request_id) {
  auto r = http::make_response(request, status, http::dump_lenient(body));
  r.set("x-amzn-RequestId", request_id);
  return r;
}

bool is_invoke(const http::RequestHeader& header) {
  auto [path, query] = split_target(header.target());
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

}  // namespace

// A coroutine function, not a capturing lambda: its parameters live in the coroutine frame, whereas
// a lambda's captures die with the lambda object before co_spawn runs the body.
asio::awaitable<ControlApi::LogsOutcome> ControlApi::query_logs(ControlApi* self,
                                                                std::string operation,
                                                                nlohmann::json body) {
  try {
    if (!self->reader_) self->reader_ = store::LogReader::open(self->db_file_);
    co_return LogsOutcome{handle_logs_call(operation, body, *self->reader_), std::nullopt};
  } catch (const AwsError& e) {
    co_return LogsOutcome{nlohmann::json(), e};
  } catch (const std::exception& e) {
    co_return LogsOutcome{nlohmann::json(), errors::service(e.what())};
  }
}

ControlApi::ControlApi(scheduler::Scheduler& scheduler, std::filesystem::path db_file)
    : scheduler_(scheduler), db_file_(std::move(db_file)) {}

ControlApi::~ControlApi() {
  readers_.join();
  reader_.reset();
}

std::shared_ptr<const http::Handler> ControlApi::handler() {
  auto handler = std::make_shared<http::Handler>();
  handler->body_policy = [](const http::RequestHeader& header) {
    http::BodyPolicy policy{.limit = 8u << 20};
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
  };
  handler->body_too_large = [](const http::RequestHeader& header) {
    return http::lambda_error(
        header,
        errors::request_too_large(kSyncPayloadLimit + 1, "RequestResponse", kSyncPayloadLimit),
        new_request_id());
  };
  handler->handle = [this](http::Request& request) { return route(request); };
  return handler;
}

asio::awaitable<http::Response> ControlApi::route(http::Request& request) {
  auto [path, query] = split_target(request.target());
  const verb method = request.method();
  std::string request_id = new_request_id();
  try {
    if (method == verb::post && path == "/" &&
        request["X-Amz-Target"].starts_with(kLogsTargetPrefix)) {
      co_return co_await logs_call(request);
    }
    if (method == verb::get && path == "/healthz") {
      co_return http::make_response(request, 200, R"({"status":"ok"})");
    }
    if (method == verb::get && path == "/metrics") co_return metrics(request);
    if (path == "/_lambdad/deploy") {
      if (method != verb::post) throw unknown_operation();
      if (!deploy_) {
        throw errors::invalid_parameter(
            "this server serves a folder; deploys need 'lambdad serve --git URL --ref REF'");
      }
      co_return json_response(request, 200, co_await deploy_(), request_id);
    }
    if (!path.starts_with(kFunctions)) throw unknown_operation();
    std::string_view rest = path.substr(kFunctions.size());
    if (rest.empty() || rest == "/") {
      if (method != verb::get) throw unknown_operation();
      nlohmann::json list = nlohmann::json::array();
      std::string marker = query_param(query, "Marker");
      std::string max_text = query_param(query, "MaxItems");
      size_t max_items = 50;
      if (!max_text.empty()) {
        auto [p, ec] =
            std::from_chars(max_text.data(), max_text.data() + max_text.size(), max_items);
        if (ec != std::errc() || max_items < 1 || max_items > 10000) {
          throw errors::invalid_parameter("MaxItems must be between 1 and 10000");
        }
      }
      std::string next_marker;
      for (const auto& [name, fn] : scheduler_.functions()) {
        if (!marker.empty() && name <= marker) continue;
        if (list.size() == max_items) {
          next_marker = list.back()["FunctionName"];
          break;
        }
        list.push_back(function_configuration(fn, "$LATEST"));
      }
      nlohmann::json body = {{"Functions", list}};
      if (!next_marker.empty()) body["NextMarker"] = next_marker;
      co_return json_response(request, 200, body, request_id);
    }
    rest.remove_prefix(1);
    auto slash = rest.find('/');
    std::string name =
        url_decode(rest.substr(0, slash)).value_or(std::string(rest.substr(0, slash)));
    std::string_view action = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (action == "/invocations" && method == verb::post) {
      co_return co_await invoke(request, name, query, request_id);
    }
    if (method == verb::get && (action.empty() || action == "/" || action == "/configuration")) {
      auto resolved = scheduler_.resolve(name, query_param(query, "Qualifier"));
      auto body = action == "/configuration"
                      ? function_configuration(*resolved.function, resolved.version)
                      : get_function(*resolved.function, resolved.version);
      co_return json_response(request, 200, body, request_id);
    }
    throw unknown_operation();
  } catch (const AwsError& e) {
    co_return http::lambda_error(request, e, request_id);
  }
}

asio::awaitable<http::Response> ControlApi::invoke(http::Request& request, std::string_view name,
                                                   std::string_view query, std::string request_id) {
  scheduler::InvokeRequest call;
  call.request_id = std::move(request_id);
  call.function = std::string(name);
  call.qualifier = query_param(query, "Qualifier");
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
  call.payload = validate_payload(std::move(request.body()));
  call.invocation_type = type;

  if (type != "RequestResponse") {
    auto resolved = scheduler_.resolve(call.function, call.qualifier);
    http::Response r{
        type == "DryRun" ? http::bhttp::status::no_content : http::bhttp::status::accepted,
        request.version()};
    r.keep_alive(request.keep_alive());
    r.set("x-amzn-RequestId", call.request_id);
    if (type == "Event") scheduler_.invoke_async(std::move(call));
    co_return r;
  }
  scheduler::InvokeResult result = co_await scheduler_.invoke(std::move(call));
  auto r = http::make_response(request, 200, std::move(result.payload));
  r.set("x-amzn-RequestId", result.request_id);
  r.set("X-Amz-Executed-Version", result.executed_version);
  if (!result.function_error.empty()) r.set("X-Amz-Function-Error", result.function_error);
  if (!result.log_tail.empty()) r.set("X-Amz-Log-Result", base64_encode(result.log_tail));
  co_return r;
}

asio::awaitable<http::Response> ControlApi::logs_call(http::Request& request) {
  std::string request_id = new_request_id();
  std::string operation(request["X-Amz-Target"].substr(kLogsTargetPrefix.size()));
  auto body = nlohmann::json::parse(request.body().empty() ? "{}" : request.body(), nullptr, false);
  if (body.is_discarded()) {
    co_return http::json11_error(
        request, AwsError(400, "SerializationException", "Request body is not valid JSON"),
        request_id);
  }
  // The query blocks on SQLite: run it on the reader thread and come back here with the result.
  auto outcome = co_await asio::co_spawn(
      readers_, query_logs(this, std::move(operation), std::move(body)), asio::use_awaitable);
  if (outcome.second) co_return http::json11_error(request, *outcome.second, request_id);
  auto r = http::make_response(request, 200, http::dump_lenient(outcome.first), kLogsContentType);
  r.set("x-amzn-RequestId", request_id);
  co_return r;
}

http::Response ControlApi::metrics(const http::Request& request) const {
  std::string text;
  text += "# HELP lambdad_workers Worker processes per function version.\n";
  text += "# TYPE lambdad_workers gauge\n";
  text += "# HELP lambdad_workers_idle Idle (warm) workers per function version.\n";
  text += "# TYPE lambdad_workers_idle gauge\n";
  text += "# HELP lambdad_concurrent_executions Invocations in flight per function.\n";
  text += "# TYPE lambdad_concurrent_executions gauge\n";
  // 1 for the tier workers run at (namespaces, process or none), 0 for the others.
  text += "# HELP lambdad_sandbox_tier The sandbox tier workers run at.\n";
  text += "# TYPE lambdad_sandbox_tier gauge\n";
  const auto* sandbox = scheduler_.settings().sandbox;
  const auto tier = sandbox ? sandbox->tier() : sandbox::Tier::kNone;
  for (auto t : {sandbox::Tier::kNamespaces, sandbox::Tier::kProcess, sandbox::Tier::kNone}) {
    text += "lambdad_sandbox_tier{tier=\"" + std::string(sandbox::tier_name(t)) + "\"} " +
            (t == tier ? "1\n" : "0\n");
  }
  for (const auto& [name, fn] : scheduler_.functions()) {
    for (const auto& [version, pool] : fn.versions) {
      std::string labels = "{function=\"" + name + "\",version=\"" + version + "\"}";
      text += "lambdad_workers" + labels + " " + std::to_string(pool->size()) + "\n";
      text += "lambdad_workers_idle" + labels + " " + std::to_string(pool->idle_count()) + "\n";
    }
    text += "lambdad_concurrent_executions{function=\"" + name + "\"} " +
            std::to_string(scheduler_.limits().in_flight(name)) + "\n";
  }
  for (const auto& lines : more_metrics_) text += lines();
  return http::make_response(request, 200, std::move(text), "text/plain; version=0.0.4");
}

}  // namespace lambdad::control_api
