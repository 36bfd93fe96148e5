#pragma once
/// @brief How a function's worker process is started: the executable for its runtime and the
/// Lambda execution environment's variables (reference §2).

#include <string>

#include "lambdad/common/function_config.hpp"
#include "lambdad/worker/process.hpp"

namespace lambdad::scheduler {

/// Everything but the per-worker variables (AWS_LAMBDA_RUNTIME_API, the log stream, and
/// AWS_LAMBDA_INITIALIZATION_TYPE). Throws std::runtime_error when the runtime is unsupported.
worker::SpawnSpec build_spawn_spec(const FunctionConfig& config, const std::string& version);

/// The custom-runtime entry point: `bootstrap` in the code folder, else in a layer (later wins).
std::string find_bootstrap(const FunctionConfig& config);

}  // namespace lambdad::scheduler
