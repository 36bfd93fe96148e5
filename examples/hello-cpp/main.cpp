// hello-cpp: a `provided.al2023` function built on lambdad_runtime. It answers every event with a
// greeting that carries the event back, and writes one log line per invocation.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "lambdad_runtime/runtime.hpp"

using lambdad_runtime::invocation_request;
using lambdad_runtime::invocation_response;

namespace {

invocation_response handle(invocation_request const& request) {
  std::printf("hello-cpp: request %s, %lld ms left\n", request.request_id.c_str(),
              static_cast<long long>(request.get_time_remaining().count()));
  // Events are JSON documents, so the payload can be embedded as is; an empty one (an invoke
  // without --payload) becomes null.
  std::string body = R"({"message":"hello from C++","input":)";
  body.append(request.payload.empty() ? "null" : request.payload).append("}");
  return invocation_response::success(std::move(body), "application/json");
}

}  // namespace

int main() {
  // Per-process setup (clients, caches) belongs here, before the loop: it runs once per cold
  // start. On failure, lambdad_runtime::report_init_error(type, message) and exit.
  lambdad_runtime::run_handler(handle);
}
