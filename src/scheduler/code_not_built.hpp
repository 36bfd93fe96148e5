#pragma once
/// @brief The answer to an invocation of a function whose code is not built yet
/// (FunctionConfig::missing_code): no worker starts; the caller gets the function error the
/// Lambda runtime gives when the handler's code is not in the package.

#include <cstdint>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::scheduler {

/// `Runtime.ImportModuleError` (nodejs*, python*) or `Runtime.InvalidEntrypoint` (provided*),
/// `X-Amz-Function-Error: Unhandled`, the message naming each missing path. `config` must have
/// missing_code. `calls` counts the function's calls answered so (the warning is sampled by it).
InvokeResult code_not_built(const FunctionConfig& config, std::string request_id,
                            std::string version, bool tail, uint64_t& calls);

}  // namespace lambdad::scheduler
