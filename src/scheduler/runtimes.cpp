#include "lambdad/scheduler/runtimes.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace lambdad::scheduler {
namespace {

namespace fs = std::filesystem;

struct FamilyInfo {
  const char* label;     ///< as users know it
  const char* command;   ///< looked up on PATH
  const char* override;  ///< environment variable naming the interpreter
  std::vector<std::string> probe_args;
};

const FamilyInfo& info(RuntimeFamily family) {
  static const FamilyInfo node{
      "Node.js",
      "node",
      "LAMBDAD_NODE",
      {"-e", "process.stdout.write(process.execPath + ' ' + process.versions.node)"}};
  static const FamilyInfo python{
      "Python",
      "python3",
      "LAMBDAD_PYTHON",
      {"-S", "-c",
       "import sys; sys.stdout.write(sys.executable + ' ' + '.'.join(map(str, "
       "sys.version_info[:3])))"}};
  if (family == RuntimeFamily::kNode) return node;
  if (family == RuntimeFamily::kPython) return python;
  throw std::logic_error("provided runtimes have no interpreter");
}

std::optional<fs::path> find_on_path(const std::string& command) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const fs::path candidate = fs::path(rest.substr(0, colon)) / command;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  }
  return std::nullopt;
}

/// Runs `argv` and returns what it printed on stdout, or nullopt when it fails or takes longer
/// than 10 s (a broken shim must not hang start-up).
std::optional<std::string> output_of(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  std::string out;
  bool timed_out = false;
  if (rc == 0) {
    pollfd p{fds[0], POLLIN, 0};
    char buffer[4096];
    while (true) {
      if (::poll(&p, 1, 10000) <= 0) {
        timed_out = true;
        ::kill(pid, SIGKILL);
        break;
      }
      const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fds[0]);
  if (rc != 0) return std::nullopt;
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

/// "3.11.7" matches "3.11"; "20.20.2" matches "20".
bool same_version(const std::string& machine, const std::string& wanted) {
  return machine == wanted || machine.starts_with(wanted + ".");
}

}  // namespace

RuntimeFamily runtime_family(std::string_view runtime) {
  if (runtime.starts_with("nodejs")) return RuntimeFamily::kNode;
  if (runtime.starts_with("python")) return RuntimeFamily::kPython;
  return RuntimeFamily::kProvided;
}

std::string runtime_version(std::string_view runtime) {
  switch (runtime_family(runtime)) {
    case RuntimeFamily::kNode: {
      std::string_view v = runtime.substr(6);  // nodejs20.x
      return std::string(v.substr(0, v.find('.')));
    }
    case RuntimeFamily::kPython:
      return std::string(runtime.substr(6));  // python3.12
    case RuntimeFamily::kProvided:
      break;
  }
  return "";
}

Runtimes::Runtimes(fs::path clients_dir) : clients_dir_(std::move(clients_dir)) {}

fs::path Runtimes::default_clients_dir() {
  if (const char* dir = std::getenv("LAMBDAD_RUNTIME_API_DIR"); dir && *dir) return dir;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate :
         {exe.parent_path().parent_path() / "runtime-api",
          exe.parent_path().parent_path() / "share/lambdad/runtime-api"}) {
      if (fs::is_directory(candidate / "nodejs", ec)) return candidate;
    }
  }
  return fs::path(LAMBDAD_SOURCE_DIR) / "runtime-api";
}

Runtimes::Probe& Runtimes::slot(RuntimeFamily family) {
  return family == RuntimeFamily::kNode ? node_ : python_;
}

const Runtimes::Probe& Runtimes::slot(RuntimeFamily family) const {
  return family == RuntimeFamily::kNode ? node_ : python_;
}

void Runtimes::probe(const std::vector<FunctionConfig>* functions) {
  for (RuntimeFamily family : {RuntimeFamily::kNode, RuntimeFamily::kPython}) {
    bool needed = functions == nullptr;
    if (functions) {
      for (const auto& f : *functions) needed = needed || runtime_family(f.runtime) == family;
    }
    if (needed && !slot(family).done) probe_family(family);
  }
}

void Runtimes::probe_family(RuntimeFamily family) {
  const FamilyInfo& family_info = info(family);
  Probe& p = slot(family);
  p.done = true;
  std::optional<fs::path> command;
  if (const char* chosen = std::getenv(family_info.override); chosen && *chosen) {
    command = chosen;
  } else {
    command = find_on_path(family_info.command);
  }
  if (!command) {
    p.why_absent = std::string(family_info.command) + " is not on PATH (set " +
                   family_info.override + " to use another interpreter)";
    return;
  }
  if (::access(command->c_str(), X_OK) != 0) {
    p.why_absent =
        std::string(family_info.override) + "=" + command->string() + " is not an executable file";
    return;
  }
  std::vector<std::string> argv = {command->string()};
  argv.insert(argv.end(), family_info.probe_args.begin(), family_info.probe_args.end());
  const auto out = output_of(argv);
  const size_t space = out ? out->rfind(' ') : std::string::npos;
  if (space == std::string::npos || space == 0) {
    p.why_absent = command->string() + " did not start (or did not say its version)";
    return;
  }
  p.found = Interpreter{out->substr(0, space), out->substr(space + 1)};
  if (p.found->path.empty() || ::access(p.found->path.c_str(), X_OK) != 0) {
    p.found->path = command->string();  // an interpreter that cannot name itself still runs
  }
  p.sdk = family == RuntimeFamily::kNode
              ? find_node_sdk(p.found->path, p.why_no_sdk)
              : find_python_sdk(p.found->path, p.found->version, p.why_no_sdk);
}

const RuntimeSdk* Runtimes::sdk(RuntimeFamily family) const {
  if (family == RuntimeFamily::kProvided) return nullptr;
  const Probe& p = slot(family);
  return p.sdk ? &*p.sdk : nullptr;
}

const Interpreter* Runtimes::interpreter(RuntimeFamily family) const {
  if (family == RuntimeFamily::kProvided) return nullptr;
  const Probe& p = slot(family);
  return p.found ? &*p.found : nullptr;
}

Runtimes::Check Runtimes::check(const std::vector<FunctionConfig>& functions) const {
  Check result;
  for (const auto& f : functions) {
    const RuntimeFamily family = runtime_family(f.runtime);
    if (family == RuntimeFamily::kProvided) continue;
    const FamilyInfo& family_info = info(family);
    const Interpreter* found = interpreter(family);
    const std::string who = "function '" + f.name + "': runtime " + f.runtime;
    if (!found) {
      const Probe& p = slot(family);
      result.errors.push_back({f.line, who + " needs " + family_info.label + ", but " +
                                           (p.done ? p.why_absent : "it was not looked for")});
    } else if (!same_version(found->version, runtime_version(f.runtime))) {
      result.warnings.push_back({f.line, who + " runs on this machine's " + family_info.label +
                                             " " + found->version + " (" + found->path + ")"});
    }
  }
  return result;
}

std::vector<std::string> Runtimes::describe() const {
  std::vector<std::string> lines;
  for (RuntimeFamily family : {RuntimeFamily::kNode, RuntimeFamily::kPython}) {
    const FamilyInfo& family_info = info(family);
    const Probe& p = slot(family);
    const char* runtimes =
        family == RuntimeFamily::kNode ? "nodejs18.x-nodejs22.x" : "python3.9-python3.13";
    if (p.found) {
      lines.push_back(std::string(family_info.label) + " " + p.found->version + " at " +
                      p.found->path + " (runs " + runtimes + ")");
    } else {
      lines.push_back(std::string(family_info.label) +
                      ": absent: " + (p.done ? p.why_absent : "not looked for"));
    }
  }
  lines.push_back("provided, provided.al2, provided.al2023: always (an executable bootstrap)");
  for (RuntimeFamily family : {RuntimeFamily::kNode, RuntimeFamily::kPython}) {
    const Probe& p = slot(family);
    const char* name = family == RuntimeFamily::kNode ? "AWS SDK for JavaScript v3 (nodejs*)"
                                                      : "boto3 (python3.*)";
    if (!p.found) continue;
    lines.push_back(std::string(name) + ": " +
                    (p.sdk ? "available from " + p.sdk->dir.string() : "absent: " + p.why_no_sdk));
  }
  lines.push_back("bootstrap clients: " + clients_dir_.string());
  return lines;
}

}  // namespace lambdad::scheduler
