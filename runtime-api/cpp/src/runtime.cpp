#include "lambdad_runtime/runtime.hpp"

#include <cxxabi.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <typeinfo>

#include "http_connection.hpp"

namespace lambdad_runtime {
namespace {

// glibc's setenv() never frees the strings it replaced, so a new trace id per event would leak
// ~90 bytes per invocation for the life of the worker. One buffer handed to putenv() once and
// rewritten in place holds every value instead (longer ids than the buffer are cut, never spilled).
void set_trace_env(const std::string& trace_id) {
  static char entry[512] = "_X_AMZN_TRACE_ID=";
  static bool installed = false;
  constexpr std::size_t kPrefix = sizeof("_X_AMZN_TRACE_ID=") - 1;
  if (trace_id.empty()) {
    ::unsetenv("_X_AMZN_TRACE_ID");  // also a value inherited from the parent
    installed = false;
    return;
  }
  const std::size_t n = std::min(trace_id.size(), sizeof entry - kPrefix - 1);
  std::memcpy(entry + kPrefix, trace_id.data(), n);
  entry[kPrefix + n] = '\0';
  if (!installed) installed = ::putenv(entry) == 0;
}

constexpr std::string_view kPrefix = "/2018-06-01/runtime";
constexpr std::string_view kNextPath = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view kErrorContentType = "application/vnd.aws.lambda.error+json";
constexpr int kMaxNextFailures = 3;

// One write(2) per line, so a line never interleaves with the handler's own output.
void log_line(std::string_view message) {
  std::string line;
  line.reserve(message.size() + 20);
  line.append("lambdad_runtime: ").append(message).append("\n");
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

[[noreturn]] void die(std::string_view message) {
  log_line(message);
  std::exit(1);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid (overlong forms,
// surrogates and code points past U+10FFFF included), so the error body stays parseable JSON.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (c < 0xC2 || c > 0xF4 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = byte(i + 1);
  if ((c == 0xE0 && second < 0xA0) || (c == 0xED && second > 0x9F) ||
      (c == 0xF0 && second < 0x90) || (c == 0xF4 && second > 0x8F)) {
    return 0;
  }
  return len;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (std::size_t len = utf8_length(s, i); len != 0) {
        out.append(s, i, len);
        i += len;
      } else {
        out.append("\\ufffd");
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00").push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

// Header values come from the handler; a CR or LF in them would split the request.
std::string header_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out.push_back(c);
  }
  return out;
}

// Request ids are UUIDs in practice; anything else is escaped rather than trusted in a path.
std::string path_segment(std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(v.size());
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string describe(detail::http_response const& r) {
  std::string s = "HTTP " + std::to_string(r.status);
  if (!r.body.empty()) s.append(": ").append(r.body, 0, 300);
  return s;
}

std::string type_name(std::type_info const& type) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string name = status == 0 && demangled != nullptr ? demangled : type.name();
  std::free(demangled);
  return name;
}

invocation_response call_handler(
    std::function<invocation_response(invocation_request const&)> const& handler,
    invocation_request const& request) {
  try {
    return handler(request);
  } catch (std::exception const& e) {
    return invocation_response::failure(e.what(), type_name(typeid(e)));
  } catch (...) {
    return invocation_response::failure("the handler threw a value that is not a std::exception",
                                        "Runtime.UnknownReason");
  }
}

}  // namespace

std::chrono::milliseconds invocation_request::get_time_remaining() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               std::chrono::system_clock::now());
}

invocation_response invocation_response::success(std::string payload, std::string content_type) {
  invocation_response r;
  r.success_ = true;
  r.payload_ = std::move(payload);
  r.content_type_ = std::move(content_type);
  return r;
}

invocation_response invocation_response::failure(std::string_view error_message,
                                                 std::string_view error_type) {
  invocation_response r;
  r.payload_ = make_error_body(error_message, error_type);
  r.content_type_ = kErrorContentType;
  r.error_type_ = error_type;
  return r;
}

std::string make_error_body(std::string_view error_message, std::string_view error_type) {
  std::string body;
  body.reserve(error_message.size() + error_type.size() + 64);
  body.append("{\"errorMessage\":");
  append_json_string(body, error_message);
  body.append(",\"errorType\":");
  append_json_string(body, error_type);
  body.append(",\"stackTrace\":[]}");
  return body;
}

runtime::runtime(std::string_view endpoint)
    : conn_(std::make_unique<detail::connection>(endpoint)) {}

runtime::~runtime() = default;

std::optional<invocation_request> runtime::get_next() {
  static constexpr std::string_view kWhat = "GET /runtime/invocation/next: ";
  detail::http_response r;
  if (!conn_->request("GET", kNextPath, {}, {}, r)) {
    last_ = {0};
    log_line(std::string(kWhat) + conn_->error());
    return std::nullopt;
  }
  last_ = {r.status};
  if (r.status != 200) {
    log_line(std::string(kWhat) + describe(r));
    return std::nullopt;
  }
  auto header = [&r](std::string_view name) {
    auto const* v = r.header(name);
    return v != nullptr ? *v : std::string();
  };
  invocation_request req;
  req.request_id = header("lambda-runtime-aws-request-id");
  if (req.request_id.empty()) {
    log_line(std::string(kWhat) + "the reply has no Lambda-Runtime-Aws-Request-Id");
    return std::nullopt;
  }
  std::string deadline = header("lambda-runtime-deadline-ms");
  long long ms = 0;
  auto [end, ec] = std::from_chars(deadline.data(), deadline.data() + deadline.size(), ms);
  if (ec != std::errc{} || end != deadline.data() + deadline.size() || ms <= 0) {
    log_line(std::string(kWhat) + "bad Lambda-Runtime-Deadline-Ms \"" + deadline + "\"");
    return std::nullopt;
  }
  req.deadline = std::chrono::time_point<std::chrono::system_clock>(std::chrono::milliseconds(ms));
  req.xray_trace_id = header("lambda-runtime-trace-id");
  req.client_context = header("lambda-runtime-client-context");
  req.cognito_identity = header("lambda-runtime-cognito-identity");
  req.function_arn = header("lambda-runtime-invoked-function-arn");
  req.tenant_id = header("lambda-runtime-aws-tenant-id");
  req.content_type = header("content-type");
  req.payload = std::move(r.body);
  return req;
}

namespace {

std::string result_path(std::string_view request_id, invocation_response const& response) {
  std::string path(kPrefix);
  path.append("/invocation/").append(path_segment(request_id));
  path.append(response.is_success() ? "/response" : "/error");
  return path;
}

}  // namespace

runtime::status runtime::post_response(std::string_view request_id,
                                       invocation_response const& response) {
  return post(result_path(request_id, response), response);
}

runtime::status runtime::post_response_then_next(std::string_view request_id,
                                                 invocation_response const& response) {
  return post(result_path(request_id, response), response, kNextPath);
}

runtime::status runtime::post_init_error(std::string_view error_type,
                                         std::string_view error_message) {
  return post(std::string(kPrefix) + "/init/error",
              invocation_response::failure(error_message, error_type));
}

runtime::status runtime::post(std::string_view path, invocation_response const& response,
                              std::string_view then_get) {
  std::string headers = "Content-Type: ";
  headers.append(response.get_content_type().empty() ? "application/json"
                                                     : header_value(response.get_content_type()));
  headers.append("\r\n");
  if (!response.is_success()) {
    headers.append("Lambda-Runtime-Function-Error-Type: ")
        .append(header_value(response.get_error_type()))
        .append("\r\n");
  }
  detail::http_response r;
  if (!conn_->request("POST", path, headers, response.get_payload(), r, then_get)) {
    last_ = {0};
    log_line("POST " + std::string(path.substr(kPrefix.size())) + ": " + conn_->error());
    return last_;
  }
  last_ = {r.status};
  if (!last_.ok()) {
    log_line("POST " + std::string(path.substr(kPrefix.size())) + ": " + describe(r));
  }
  return last_;
}

void run_handler(std::function<invocation_response(invocation_request const&)> const& handler) {
  char const* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr || *endpoint == '\0') die("AWS_LAMBDA_RUNTIME_API is not set");
  std::optional<runtime> rt;
  try {
    rt.emplace(endpoint);
  } catch (std::invalid_argument const& e) {
    die(std::string("AWS_LAMBDA_RUNTIME_API: ") + e.what());
  }

  int failures = 0;
  for (;;) {
    auto request = rt->get_next();
    if (!request) {
      if (rt->last_status().http_status == 500) {
        die("the Runtime API reported an unrecoverable error; exiting");
      }
      if (++failures == kMaxNextFailures) {
        die("giving up after " + std::to_string(kMaxNextFailures) + " failed /next calls");
      }
      continue;
    }
    failures = 0;

    // Read by X-Ray SDKs; a stale value from the previous event must not leak into this one.
    set_trace_env(request->xray_trace_id);

    invocation_response response = call_handler(handler, *request);

    // lambdad attributes log lines to the invocation running when they arrive, so anything the
    // handler buffered must be out before the result ends the invocation.
    std::cout.flush();
    std::clog.flush();
    std::fflush(nullptr);

    if (rt->post_response_then_next(request->request_id, response).http_status == 500) {
      die("the Runtime API reported an unrecoverable error; exiting");
    }
    // Other post failures (400, 413, a dropped connection) concern this event only; the
    // next /next decides whether the API is still there.
  }
}

bool report_init_error(std::string_view error_type, std::string_view error_message) {
  char const* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr || *endpoint == '\0') {
    log_line("report_init_error: AWS_LAMBDA_RUNTIME_API is not set");
    return false;
  }
  try {
    return runtime(endpoint).post_init_error(error_type, error_message).ok();
  } catch (std::invalid_argument const& e) {
    log_line(std::string("AWS_LAMBDA_RUNTIME_API: ") + e.what());
    return false;
  }
}

}  // namespace lambdad_runtime
