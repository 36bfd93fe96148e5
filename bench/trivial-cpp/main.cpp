// The benchmark's function: the same trivial handler every peer serves, with no logging, so the
// figures measure the platform rather than the function.
#include "lambdad_runtime/runtime.hpp"

int main() {
  lambdad_runtime::run_handler([](const lambdad_runtime::invocation_request&) {
    return lambdad_runtime::invocation_response::success(
        R"({"statusCode":200,"body":"{\"ok\":true}"})", "application/json");
  });
}
