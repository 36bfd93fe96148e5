#pragma once
/// @brief How `lambdad build` runs npm, esbuild, pip and make: one child process at a time, its
/// stdout and stderr shown line by line with a prefix naming the resource it builds. An interface
/// so that the unit tests can record the commands instead of running them.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace lambdad::build {

struct Command {
  std::vector<std::string> argv;  ///< argv[0] is looked up on PATH when it has no slash
  std::filesystem::path cwd;
  std::map<std::string, std::string> env;  ///< added to (or replacing in) the caller's environment

  /// `cd CWD && K=V argv...`, for messages and tests.
  std::string describe() const;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  /// Runs the command to completion, showing its output lines as `[prefix] line` on stdout.
  /// Returns its exit status (128+N when killed by signal N, 127 when it cannot start).
  virtual int run(const Command& command, const std::string& prefix) = 0;
};

/// fork/exec through posix_spawn, stdout and stderr merged into one pipe.
class SystemProcessRunner : public ProcessRunner {
 public:
  int run(const Command& command, const std::string& prefix) override;
};

}  // namespace lambdad::build
