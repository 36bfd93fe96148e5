#include "lambdad/scheduler/spawn_spec.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "lambdad/common/ids.hpp"

namespace lambdad::scheduler {
namespace {

bool is_provided(const std::string& runtime) {
  return runtime.starts_with("provided");
}

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

}  // namespace

std::string find_bootstrap(const FunctionConfig& config) {
  auto in_code = config.code_dir / "bootstrap";
  if (std::filesystem::exists(in_code)) return in_code.string();
  for (auto it = config.layers.rbegin(); it != config.layers.rend(); ++it) {
    if (std::filesystem::exists(*it / "bootstrap")) return (*it / "bootstrap").string();
  }
  return in_code.string();  // exec reports it missing as Runtime.InvalidEntrypoint
}

worker::SpawnSpec build_spawn_spec(const FunctionConfig& config, const std::string& version) {
  if (!is_provided(config.runtime)) {
    throw std::runtime_error("runtime " + config.runtime + " is not supported yet");
  }
  worker::SpawnSpec spec;
  spec.executable = find_bootstrap(config);
  spec.argv = {spec.executable};
  spec.cwd = config.code_dir.string();

  const std::string task_root = config.code_dir.string();
  std::vector<std::string> path = {"/usr/local/bin", "/usr/bin/", "/bin", "/opt/bin"};
  std::vector<std::string> libs = {"/lib64", "/usr/lib64", task_root, task_root + "/lib",
                                   "/opt/lib"};
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
  add(env, "LAMBDA_RUNTIME_DIR", "/var/runtime");
  add(env, "TZ", ":UTC");
  add(env, "LANG", "en_US.UTF-8");
  add(env, "PATH", join_paths(path));
  add(env, "LD_LIBRARY_PATH", join_paths(libs));
  // Functions get credentials as on AWS; locally those are the server's own, when it has some.
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
    if (const char* value = std::getenv(name)) add(env, name, value);
  }
  for (const auto& [key, value] : config.environment) add(env, key, value);
  return spec;
}

}  // namespace lambdad::scheduler
