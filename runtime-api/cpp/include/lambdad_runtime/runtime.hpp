// lambdad_runtime: a Lambda Runtime API 2018-06-01 client for `provided*` functions.
//
// The shape follows aws-lambda-cpp (invocation_request, invocation_response, run_handler) so code
// written for it ports by changing the include and the namespace. Unlike aws-lambda-cpp it needs
// nothing beyond the C++ standard library and POSIX sockets: no libcurl, so a worker reaches its
// first `/next` without loading or initialising any other library.
//
// Thread safety: a `runtime` owns one connection and must be used from one thread at a time.
// run_handler() calls the handler on the calling thread, one invocation at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lambdad_runtime {

/// @brief One event, as delivered by `GET /2018-06-01/runtime/invocation/next`.
struct invocation_request {
  /// The event body, byte for byte.
  std::string payload;
  /// `Lambda-Runtime-Aws-Request-Id`.
  std::string request_id;
  /// `Lambda-Runtime-Trace-Id`; run_handler() also exports it as `_X_AMZN_TRACE_ID`.
  std::string xray_trace_id;
  /// `Lambda-Runtime-Client-Context` (JSON), empty when the caller sent none.
  std::string client_context;
  /// `Lambda-Runtime-Cognito-Identity` (JSON), empty when absent.
  std::string cognito_identity;
  /// `Lambda-Runtime-Invoked-Function-Arn`, with the qualifier the caller used.
  std::string function_arn;
  /// `Content-Type` of the event.
  std::string content_type;
  /// `Lambda-Runtime-Aws-Tenant-Id`, empty when absent.
  std::string tenant_id;
  /// `Lambda-Runtime-Deadline-Ms`.
  std::chrono::time_point<std::chrono::system_clock> deadline;

  /// @brief Time left before the invocation times out (negative once past the deadline).
  std::chrono::milliseconds get_time_remaining() const;
};

/// @brief What a handler returns: a payload for `/response` or an error for `/error`.
class invocation_response {
 public:
  /// @brief A successful result; `payload` is sent as is with `content_type`.
  static invocation_response success(std::string payload,
                                     std::string content_type = "application/json");
  /// @brief A function error. The body is `{"errorMessage","errorType","stackTrace":[]}` and
  /// `error_type` is also sent as `Lambda-Runtime-Function-Error-Type`.
  static invocation_response failure(std::string_view error_message, std::string_view error_type);

  bool is_success() const { return success_; }
  std::string const& get_payload() const { return payload_; }
  std::string const& get_content_type() const { return content_type_; }
  /// Empty for a success.
  std::string const& get_error_type() const { return error_type_; }

 private:
  invocation_response() = default;

  bool success_ = false;
  std::string payload_;
  std::string content_type_;
  std::string error_type_;
};

/// @brief The error document of the Runtime API:
/// `{"errorMessage":...,"errorType":...,"stackTrace":[]}`, strings escaped as JSON.
std::string make_error_body(std::string_view error_message, std::string_view error_type);

namespace detail {
class connection;
}

/// @brief A Runtime API client over one keep-alive HTTP/1.1 connection.
///
/// Calls block with no timeout (the sandbox may be frozen while waiting for an event). A connection
/// the server has closed is reopened once per call. Failures are described on stderr.
class runtime {
 public:
  /// @param endpoint `host:port` as in `AWS_LAMBDA_RUNTIME_API` (`[v6addr]:port` also accepted).
  /// @throws std::invalid_argument when the endpoint has no valid port.
  explicit runtime(std::string_view endpoint);
  ~runtime();
  runtime(runtime const&) = delete;
  runtime& operator=(runtime const&) = delete;

  /// @brief Outcome of one Runtime API call.
  struct status {
    /// HTTP status of the reply, 0 when no reply was received (connection failed).
    int http_status = 0;
    bool ok() const { return http_status >= 200 && http_status < 300; }
  };

  /// @brief Waits for the next event. nullopt on failure: no 200 reply, or a reply without a
  /// request id or a positive deadline. `last_status()` tells which.
  std::optional<invocation_request> get_next();
  /// @brief `POST /runtime/invocation/{id}/response` or `/error`, by `response.is_success()`.
  status post_response(std::string_view request_id, invocation_response const& response);
  /// @brief post_response() with `GET /next` sent in the same write (HTTP/1.1 pipelining): the
  /// following get_next() reads its reply instead of asking again, and lambdad answers both
  /// together when the next event comes, so a worker wakes once per event. Only for a loop
  /// that calls get_next() next.
  status post_response_then_next(std::string_view request_id, invocation_response const& response);
  /// @brief `POST /runtime/init/error`.
  status post_init_error(std::string_view error_type, std::string_view error_message);

  /// @brief The status of the last call.
  status last_status() const { return last_; }

 private:
  status post(std::string_view path, invocation_response const& response,
              std::string_view then_get = {});

  std::unique_ptr<detail::connection> conn_;
  status last_;
};

/// @brief The handler loop: `/next`, handler, `/response` or `/error`, forever.
///
/// Before each call it sets `_X_AMZN_TRACE_ID` (or unsets it when the event has no trace id); a
/// handler that throws is reported as a function error of the exception's type; stdout and stderr
/// are flushed before the result is posted so the log lines belong to that invocation.
/// Exits the process with status 1 (after a line on stderr) when `AWS_LAMBDA_RUNTIME_API` is
/// missing, after 3 failed `/next` calls in a row, or when the API answers 500 (which the
/// Runtime API defines as unrecoverable).
[[noreturn]] void run_handler(
    std::function<invocation_response(invocation_request const&)> const& handler);

/// @brief Reports a failed initialisation (`POST /runtime/init/error`); lambdad turns it into
/// the reply to the pending invocation. The caller should exit afterwards.
/// @return true when the API accepted the report.
bool report_init_error(std::string_view error_type, std::string_view error_message);

}  // namespace lambdad_runtime
