// The conformance suite's C++ function (tests/e2e/test_conformance.py): one `bootstrap` built on
// runtime-api/cpp (lambdad_runtime), which picks its behaviour from _HANDLER, as a provided.al2023
// function written in C++ would. The test compiles it with the machine's c++.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "lambdad_runtime/runtime.hpp"

extern char** environ;

using lambdad_runtime::invocation_request;
using lambdad_runtime::invocation_response;

namespace {

int invocations = 0;  // per process: counts the warm invocations of one worker

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

/// The integer value of `"key": N` in a flat JSON event, `fallback` when absent.
long number_field(std::string const& event, std::string const& key, long fallback) {
  const size_t at = event.find("\"" + key + "\"");
  if (at == std::string::npos) return fallback;
  const size_t colon = event.find(':', at);
  if (colon == std::string::npos) return fallback;
  return std::strtol(event.c_str() + colon + 1, nullptr, 10);
}

void check(long qty) {
  if (qty <= 0) throw std::invalid_argument("bad quantity: " + std::to_string(qty));
}

invocation_response handle(invocation_request const& request) {
  const std::string handler = env("_HANDLER");
  const std::string& event = request.payload;
  if (handler == "echo") return invocation_response::success(event, "application/json");
  if (handler == "throws") {
    check(number_field(event, "qty", 0));
    return invocation_response::success("\"unreachable\"");
  }
  if (handler == "sleep") {
    const long ms = number_field(event, "sleep_ms", 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return invocation_response::success("{\"slept\":" + std::to_string(ms) + "}");
  }
  if (handler == "large") {
    const long size = number_field(event, "size", 0);
    return invocation_response::success("\"" + std::string(static_cast<size_t>(size), 'x') + "\"");
  }
  if (handler == "context") {
    std::string body = "{";
    body += "\"aws_request_id\":" + quoted(request.request_id);
    body += ",\"function_name\":" + quoted(env("AWS_LAMBDA_FUNCTION_NAME"));
    body += ",\"function_version\":" + quoted(env("AWS_LAMBDA_FUNCTION_VERSION"));
    body += ",\"invoked_function_arn\":" + quoted(request.function_arn);
    body += ",\"memory_limit_in_mb\":" + quoted(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
    body += ",\"log_group_name\":" + quoted(env("AWS_LAMBDA_LOG_GROUP_NAME"));
    body += ",\"log_stream_name\":" + quoted(env("AWS_LAMBDA_LOG_STREAM_NAME"));
    body += ",\"remaining_ms\":" + std::to_string(request.get_time_remaining().count());
    return invocation_response::success(body + "}");
  }
  if (handler == "env") {
    std::string body = "{";
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string_view pair = *entry;
      const size_t equals = pair.find('=');
      if (equals == std::string_view::npos) continue;
      if (body.size() > 1) body += ",";
      body += quoted(pair.substr(0, equals)) + ":" + quoted(pair.substr(equals + 1));
    }
    return invocation_response::success(body + "}");
  }
  if (handler == "logs") {
    std::printf("conformance log line\n");
    std::printf("first\nsecond\n");
    std::fprintf(stderr, "conformance stderr line\n");
    return invocation_response::success("\"logged\"");
  }
  if (handler == "counter") {
    ++invocations;
    return invocation_response::success("{\"count\":" + std::to_string(invocations) +
                                        ",\"pid\":" + std::to_string(::getpid()) + "}");
  }
  return invocation_response::failure("no behaviour named " + handler,
                                      "Conformance.UnknownHandler");
}

}  // namespace

int main() {
  if (env("_HANDLER") == "init_error") {
    lambdad_runtime::report_init_error("Cpp.InitError", "init failed");
    return 1;
  }
  lambdad_runtime::run_handler(handle);
}
