#include "code_not_built.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "lambdad/common/check.hpp"
#include "lambdad/common/log_sampling.hpp"
#include "lambdad/scheduler/runtimes.hpp"

namespace lambdad::scheduler {

InvokeResult code_not_built(const FunctionConfig& config, std::string request_id,
                            std::string version, bool tail, uint64_t& calls) {
  LAMBDAD_CHECK(!config.missing_code.empty());
  std::string missing;
  for (const auto& path : config.missing_code) {
    const char* what = path == config.code_dir ? "CodeUri " : "layer ";
    missing += (missing.empty() ? "" : ", ") + std::string(what) + path.string();
  }
  const bool provided = runtime_family(config.runtime) == RuntimeFamily::kProvided;
  // The errors Lambda's runtimes give for a package without the handler's code: what a user of
  // `sam local` sees when the build output is not there (its container mounts an empty folder).
  const std::string type = provided ? "Runtime.InvalidEntrypoint" : "Runtime.ImportModuleError";
  const std::string message =
      "the function's code is not built: " + missing +
      (config.missing_code.size() == 1 ? " does not exist" : " do not exist") +
      " (build the project; lambdad serves the function once its code appears)";
  // Sampled: a client retrying such a function would otherwise write a line per call.
  if (logged_occurrence(++calls)) {
    spdlog::warn("function {}: {} ({} call{} so far)", config.name, message, calls,
                 calls == 1 ? "" : "s");
  }

  InvokeResult result;
  result.request_id = std::move(request_id);
  result.payload =
      nlohmann::json{
          {"errorType", type}, {"errorMessage", message}, {"stackTrace", nlohmann::json::array()}}
          .dump();
  result.function_error = "Unhandled";
  result.executed_version = std::move(version);
  if (tail) result.log_tail = type + ": " + message + "\n";
  result.outcome = provided ? worker::Outcome::kInvalidEntrypoint : worker::Outcome::kInitError;
  return result;
}

}  // namespace lambdad::scheduler
