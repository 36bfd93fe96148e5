#include "lambdad/scheduler/spawn_spec.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <stdexcept>

#include "lambdad/common/ids.hpp"

namespace lambdad::scheduler {
namespace {

void add(std::vector<std::string>& env, std::string_view key, std::string_view value) {
  env.push_back(std::string(key) + "=" + std::string(value));
}

std::string join_paths(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ':';
    out += p;
  }
  return out;
}

/// Layers are merged into /opt in list order on AWS, a later one winning: here each stays in its
/// own folder, so search paths list them last first.
std::vector<std::string> in_layers(const FunctionConfig& config,
                                   std::initializer_list<std::string_view> subfolders) {
  std::vector<std::string> out;
  for (auto it = config.layers.rbegin(); it != config.layers.rend(); ++it) {
    for (std::string_view sub : subfolders) out.push_back((*it / sub).string());
  }
  return out;
}

/// The interpreter, the client that speaks the Runtime API for it, and its search paths.
void add_managed_runtime(worker::SpawnSpec& spec, const FunctionConfig& config,
                         const Runtimes& runtimes, std::string& runtime_dir) {
  const RuntimeFamily family = runtime_family(config.runtime);
  const Interpreter* interpreter = runtimes.interpreter(family);
  if (!interpreter) {
    throw std::runtime_error("runtime " + config.runtime + " has no interpreter on this machine");
  }
  const std::string version = runtime_version(config.runtime);
  spec.executable = interpreter->path;
  add(spec.env, "AWS_EXECUTION_ENV", "AWS_Lambda_" + config.runtime);
  if (family == RuntimeFamily::kNode) {
    runtime_dir = (runtimes.clients_dir() / "nodejs").string();
    // The heap limits AWS's own Node.js bootstrap sets from MemorySize.
    const int memory = config.memory_mb;
    spec.argv = {spec.executable,
                 "--expose-gc",
                 "--max-http-header-size",
                 "81920",
                 "--max-semi-space-size=" + std::to_string(std::max(1, memory / 10 / 2)),
                 "--max-old-space-size=" + std::to_string(memory - memory / 10),
                 runtime_dir + "/index.mjs"};
    const std::string modules = "nodejs/node" + version + "/node_modules";
    auto paths = in_layers(config, {modules, "nodejs/node_modules"});
    paths.insert(paths.end(),
                 {runtime_dir + "/node_modules", runtime_dir, config.code_dir.string()});
    add(spec.env, "NODE_PATH", join_paths(paths));
  } else {
    runtime_dir = (runtimes.clients_dir() / "python").string();
    spec.argv = {spec.executable, runtime_dir + "/bootstrap.py"};
    const std::string site = "python/lib/python" + version + "/site-packages";
    auto paths = in_layers(config, {site, "python"});
    paths.push_back(runtime_dir);
    add(spec.env, "PYTHONPATH", join_paths(paths));
  }
}

}  // namespace

std::string find_bootstrap(const FunctionConfig& config) {
  auto in_code = config.code_dir / "bootstrap";
  if (std::filesystem::exists(in_code)) return in_code.string();
  for (auto it = config.layers.rbegin(); it != config.layers.rend(); ++it) {
    if (std::filesystem::exists(*it / "bootstrap")) return (*it / "bootstrap").string();
  }
  return in_code.string();  // exec reports it missing as Runtime.InvalidEntrypoint
}

worker::SpawnSpec build_spawn_spec(const FunctionConfig& config, const std::string& version,
                                   const Runtimes* runtimes) {
  worker::SpawnSpec spec;
  spec.cwd = config.code_dir.string();
  std::string runtime_dir = "/var/runtime";
  std::vector<std::string> path = {"/usr/local/bin", "/usr/bin/", "/bin", "/opt/bin"};
  if (runtime_family(config.runtime) == RuntimeFamily::kProvided) {
    spec.executable = find_bootstrap(config);
    spec.argv = {spec.executable};
  } else {
    if (!runtimes) throw std::runtime_error("runtime " + config.runtime + " is not available");
    add_managed_runtime(spec, config, *runtimes, runtime_dir);
    // Child processes the function starts (`node`, `python3`) get the same interpreter.
    path.insert(path.begin(), std::filesystem::path(spec.executable).parent_path().string());
  }

  const std::string task_root = config.code_dir.string();
  std::vector<std::string> libs = {"/lib64",  "/usr/lib64",       runtime_dir, runtime_dir + "/lib",
                                   task_root, task_root + "/lib", "/opt/lib"};
  for (const auto& layer : config.layers) {
    path.push_back((layer / "bin").string());
    libs.push_back((layer / "lib").string());
  }

  auto& env = spec.env;
  add(env, "_HANDLER", config.handler);
  add(env, "AWS_REGION", region());
  add(env, "AWS_DEFAULT_REGION", region());
  add(env, "AWS_LAMBDA_FUNCTION_NAME", config.name);
  add(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(config.memory_mb));
  add(env, "AWS_LAMBDA_FUNCTION_VERSION", version);
  add(env, "AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + config.name);
  add(env, "LAMBDA_TASK_ROOT", task_root);
  add(env, "LAMBDA_RUNTIME_DIR", runtime_dir);
  add(env, "TZ", ":UTC");
  add(env, "LANG", "en_US.UTF-8");
  add(env, "PATH", join_paths(path));
  add(env, "LD_LIBRARY_PATH", join_paths(libs));
  // Functions get credentials as on AWS; locally those are the server's own, when it has some.
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
    if (const char* value = std::getenv(name)) add(env, name, value);
  }
  if (!config.log_format.empty()) add(env, "AWS_LAMBDA_LOG_FORMAT", config.log_format);
  if (!config.application_log_level.empty()) {
    add(env, "AWS_LAMBDA_LOG_LEVEL", config.application_log_level);
  }
  for (const auto& [key, value] : config.environment) add(env, key, value);
  // AWS_LAMBDA_EXEC_WRAPPER (managed runtimes): a script the runtime is started through, given
  // the runtime's own command line, as AWS's bootstraps do.
  if (auto wrapper = config.environment.find("AWS_LAMBDA_EXEC_WRAPPER");
      wrapper != config.environment.end() &&
      runtime_family(config.runtime) != RuntimeFamily::kProvided) {
    std::filesystem::path script = wrapper->second;
    if (script.is_relative()) script = config.code_dir / script;
    spec.executable = script.string();
    spec.argv.insert(spec.argv.begin(), spec.executable);
  }
  return spec;
}

}  // namespace lambdad::scheduler
