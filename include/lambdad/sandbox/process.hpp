#pragma once
/// @brief Launching worker processes. The launcher is an interface so that unit tests can fake it;
/// the real one forks, sets up the child (process group, rlimits, stdio pipes, parent-death
/// signal) and execs, reporting an exec failure through a close-on-exec pipe.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

struct sock_fprog;

namespace lambdad::sandbox {

class Jail;

struct SpawnSpec {
  std::string executable;  ///< absolute path
  std::vector<std::string> argv;
  std::vector<std::string> env;  ///< KEY=VALUE
  std::string cwd;
  unsigned long max_open_files = 1024;
  unsigned long max_processes = 1024;  ///< RLIMIT_NPROC (sandboxed workers; root ignores it)
  int nice = 0;  ///< the CPU weight (cpu_weight.hpp); a child may always lower its priority
  /// cgroup v2: the worker's cgroup folder, which a sandboxed worker is cloned straight into
  /// (CLONE_INTO_CGROUP); elsewhere the caller moves the process in after spawn().
  int cgroup_dir_fd = -1;
  /// The worker has its own empty network namespace: the launcher makes the Runtime API's
  /// listening socket inside it (127.0.0.1:9001, as on Lambda) and returns it.
  bool private_network = false;
  /// Sandbox tier `namespaces`: the worker's prepared root and namespaces (see sandbox.hpp);
  /// paths above are then the worker's view (/var/task, …). Null: a plain child process.
  std::shared_ptr<const Jail> jail;
  /// Installed with no_new_privs right before exec when set (tier `process`).
  const sock_fprog* seccomp = nullptr;
};

/// A started process. Every fd is owned by the caller (close-on-exec, non-blocking).
struct SpawnedProcess {
  pid_t pid = -1;
  int pidfd = -1;      ///< readable when the process exits
  int stdout_fd = -1;  ///< read end of the child's stdout
  int stderr_fd = -1;  ///< read end of the child's stderr
  /// EOF once exec succeeded and the runtime ran; else ExecReport records (its first
  /// int is the errno of a failed exec).
  int exec_status_fd = -1;
  bool in_cgroup = false;   ///< started inside SpawnSpec::cgroup_dir_fd
  int runtime_api_fd = -1;  ///< SpawnSpec::private_network: the listening socket
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  /// Throws std::system_error when the process cannot be created at all (fork, pipes).
  virtual SpawnedProcess spawn(const SpawnSpec& spec) = 0;
  /// SIGKILL (or `signal`) to the whole process group of a spawned process.
  virtual void kill_group(pid_t pid, int signal) = 0;
};

std::unique_ptr<ProcessLauncher> make_posix_launcher();

/// Go's wording for a wait status, as Lambda reports it: "exit status 1", "signal: killed".
std::string describe_wait_status(int code, int status);

}  // namespace lambdad::sandbox
