#pragma once
/// @brief How a function's worker process is started: the executable for its runtime and the
/// Lambda execution environment's variables (reference §2).

#include <string>

#include "lambdad/common/function_config.hpp"
#include "lambdad/sandbox/process.hpp"
#include "lambdad/scheduler/runtimes.hpp"

namespace lambdad::sandbox {
class Sandbox;
}

namespace lambdad::scheduler {

/// Everything but the per-worker variables (AWS_LAMBDA_RUNTIME_API, the log stream, and
/// AWS_LAMBDA_INITIALIZATION_TYPE). provided*: the `bootstrap`; nodejs* / python*: the machine's
/// interpreter running lambdad's client from runtime-api/. Throws std::runtime_error when the
/// function's interpreter is absent. With a `sandbox` at tier `namespaces`, paths are the worker's
/// view (/var/task, /opt, /var/runtime) and the spec carries the function's prepared jail; at tier
/// `process`, the seccomp filter.
sandbox::SpawnSpec build_spawn_spec(const FunctionConfig& config, const std::string& version,
                                    const Runtimes* runtimes,
                                    const sandbox::Sandbox* sandbox = nullptr);

/// The custom-runtime entry point: `bootstrap` in the code folder, else in a layer (later wins).
std::string find_bootstrap(const FunctionConfig& config);

}  // namespace lambdad::scheduler
