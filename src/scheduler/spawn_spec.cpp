#include "lambdad/scheduler/spawn_spec.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <stdexcept>

#include "lambdad/common/ids.hpp"
#include "lambdad/sandbox/cpu_weight.hpp"
#include "lambdad/sandbox/sandbox.hpp"

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

/// Where the worker sees its files: the host's folders, or the sandbox's fixed ones.
struct View {
  std::string task_root;
  std::vector<std::filesystem::path> layers;  ///< sandboxed: just /opt (merged)
  bool sandboxed = false;
};

View view_of(const FunctionConfig& config, bool sandboxed) {
  if (!sandboxed) return {config.code_dir.string(), config.layers, false};
  View v{"/var/task", {}, true};
  if (!config.layers.empty()) v.layers.push_back("/opt");
  return v;
}

/// Layers are merged into /opt in list order on AWS, a later one winning: unsandboxed, each stays
/// in its own folder, so search paths list them last first.
std::vector<std::string> in_layers(const View& view,
                                   std::initializer_list<std::string_view> subfolders) {
  std::vector<std::string> out;
  for (auto it = view.layers.rbegin(); it != view.layers.rend(); ++it) {
    for (std::string_view sub : subfolders) out.push_back((*it / sub).string());
  }
  return out;
}

/// The interpreter, the client that speaks the Runtime API for it, and its search paths.
void add_managed_runtime(sandbox::SpawnSpec& spec, const FunctionConfig& config, const View& view,
                         const Runtimes& runtimes, std::string& runtime_dir,
                         std::filesystem::path& host_runtime_dir) {
  const RuntimeFamily family = runtime_family(config.runtime);
  const Interpreter* interpreter = runtimes.interpreter(family);
  if (!interpreter) {
    throw std::runtime_error("runtime " + config.runtime + " has no interpreter on this machine");
  }
  const std::string version = runtime_version(config.runtime);
  spec.executable = interpreter->path;
  add(spec.env, "AWS_EXECUTION_ENV", "AWS_Lambda_" + config.runtime);
  if (family == RuntimeFamily::kNode) {
    host_runtime_dir = runtimes.clients_dir() / "nodejs";
    runtime_dir = view.sandboxed ? "/var/runtime" : host_runtime_dir.string();
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
    auto paths = in_layers(view, {modules, "nodejs/node_modules"});
    paths.push_back(runtime_dir + "/node_modules");
    // The AWS SDK for JavaScript v3, where Lambda has it: after the runtime's own node_modules.
    if (const RuntimeSdk* sdk = runtimes.sdk(family)) paths.push_back(sdk->dir.string());
    paths.insert(paths.end(), {runtime_dir, view.task_root});
    add(spec.env, "NODE_PATH", join_paths(paths));
  } else {
    host_runtime_dir = runtimes.clients_dir() / "python";
    runtime_dir = view.sandboxed ? "/var/runtime" : host_runtime_dir.string();
    spec.argv = {spec.executable, runtime_dir + "/bootstrap.py"};
    const std::string site = "python/lib/python" + version + "/site-packages";
    auto paths = in_layers(view, {site, "python"});
    paths.push_back(runtime_dir);
    // boto3 from Debian's dist-packages when the interpreter does not see it itself.
    const RuntimeSdk* sdk = runtimes.sdk(family);
    if (sdk && !sdk->on_interpreter_path) paths.push_back(sdk->dir.string());
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

sandbox::SpawnSpec build_spawn_spec(const FunctionConfig& config, const std::string& version,
                                    const Runtimes* runtimes, const sandbox::Sandbox* sandbox) {
  const bool sandboxed = sandbox && sandbox->in_sandbox();
  const View view = view_of(config, sandboxed);
  sandbox::SpawnSpec spec;
  spec.cwd = view.task_root;
  spec.nice = lambdad::sandbox::nice_for_memory(config.memory_mb);
  std::string runtime_dir = "/var/runtime";
  std::filesystem::path host_runtime_dir;
  std::string interpreter;  // its install prefix must be visible inside the sandbox
  std::vector<std::string> path = {"/usr/local/bin", "/usr/bin/", "/bin", "/opt/bin"};
  if (runtime_family(config.runtime) == RuntimeFamily::kProvided) {
    spec.executable = find_bootstrap(config);
    if (sandboxed) {
      // The same file, as the worker sees it: /var/task/bootstrap or /opt/bootstrap.
      const std::filesystem::path host(spec.executable);
      spec.executable =
          host.parent_path() == config.code_dir ? "/var/task/bootstrap" : "/opt/bootstrap";
    }
    spec.argv = {spec.executable};
  } else {
    if (!runtimes) throw std::runtime_error("runtime " + config.runtime + " is not available");
    add_managed_runtime(spec, config, view, *runtimes, runtime_dir, host_runtime_dir);
    interpreter = spec.executable;
    // Child processes the function starts (`node`, `python3`) get the same interpreter.
    path.insert(path.begin(), std::filesystem::path(spec.executable).parent_path().string());
  }

  const std::string& task_root = view.task_root;
  std::vector<std::string> libs = {"/lib64",  "/usr/lib64",       runtime_dir, runtime_dir + "/lib",
                                   task_root, task_root + "/lib", "/opt/lib"};
  if (!sandboxed) {
    for (const auto& layer : config.layers) {
      path.push_back((layer / "bin").string());
      libs.push_back((layer / "lib").string());
    }
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
    if (script.is_relative()) script = std::filesystem::path(task_root) / script;
    spec.executable = script.string();
    spec.argv.insert(spec.argv.begin(), spec.executable);
  }
  if (sandbox) {
    std::vector<std::filesystem::path> interpreters;
    if (!interpreter.empty()) interpreters.push_back(interpreter);
    for (auto family : {RuntimeFamily::kNode, RuntimeFamily::kPython}) {
      if (const Interpreter* found = runtimes ? runtimes->interpreter(family) : nullptr) {
        interpreters.push_back(found->path);
      }
    }
    std::vector<std::filesystem::path> sdks;
    if (const RuntimeSdk* sdk =
            runtimes ? runtimes->sdk(runtime_family(config.runtime)) : nullptr) {
      sdks.push_back(sdk->dir);
    }
    sandbox->apply(spec, {.code_dir = config.code_dir,
                          .layers = config.layers,
                          .runtime_dir = host_runtime_dir,
                          .interpreters = interpreters,
                          .sdk_dirs = sdks,
                          .ephemeral_storage_mb = config.ephemeral_storage_mb,
                          .network = config.network});
  }
  return spec;
}

}  // namespace lambdad::scheduler
