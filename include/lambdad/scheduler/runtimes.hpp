#pragma once
/// @brief The managed runtimes on this machine: its own `node` and `python3`, run through
/// lambdad's bootstrap clients in `runtime-api/`. Each interpreter is found once (PATH, or
/// $LAMBDAD_NODE / $LAMBDAD_PYTHON) and resolved to its real binary by asking it, because
/// version-manager shims (pyenv, nvm) cost 100+ ms on every start.
///
/// Thread safety: probe() before the server starts; after that every member is read-only.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/common/function_config.hpp"
#include "lambdad/scheduler/runtime_sdks.hpp"

namespace lambdad::scheduler {

enum class RuntimeFamily { kProvided, kNode, kPython };

/// provided* / nodejs* / python*; the template loader rejects any other name.
RuntimeFamily runtime_family(std::string_view runtime);

/// "20" for nodejs20.x, "3.12" for python3.12, "" for provided*.
std::string runtime_version(std::string_view runtime);

struct Interpreter {
  std::string path;     ///< the real binary
  std::string version;  ///< e.g. 20.20.2, 3.11.7
};

class Runtimes {
 public:
  /// `clients_dir` holds nodejs/ and python/ (runtime-api/ of the source tree by default).
  explicit Runtimes(std::filesystem::path clients_dir = default_clients_dir());

  /// runtime-api/ beside the binary's build folder, else of the source tree it was built from;
  /// $LAMBDAD_RUNTIME_API_DIR wins.
  static std::filesystem::path default_clients_dir();

  /// Finds the interpreters these functions need (all of them when `functions` is null).
  void probe(const std::vector<FunctionConfig>* functions = nullptr);

  /// nullptr when the family's interpreter is absent or was not probed.
  const Interpreter* interpreter(RuntimeFamily family) const;
  const std::filesystem::path& clients_dir() const { return clients_dir_; }
  /// The AWS SDK this machine has for the family's runtime (found with its interpreter), or
  /// nullptr: the AWS SDK for JavaScript v3 for Node.js, boto3 for Python.
  const RuntimeSdk* sdk(RuntimeFamily family) const;

  struct Finding {
    int line = 0;  ///< the function's line in the template
    std::string message;
  };
  struct Check {
    std::vector<Finding> warnings;  ///< a function runs on another version than it names
    std::vector<Finding> errors;    ///< a function's interpreter is absent
  };
  /// One line per function whose runtime this machine cannot match exactly.
  Check check(const std::vector<FunctionConfig>& functions) const;

  /// What `lambdad doctor` prints: each family, its interpreter and version, or why it is absent.
  std::vector<std::string> describe() const;

 private:
  struct Probe {
    bool done = false;
    std::optional<Interpreter> found;
    std::string why_absent;
    std::optional<RuntimeSdk> sdk;
    std::string why_no_sdk;
  };
  Probe& slot(RuntimeFamily family);
  const Probe& slot(RuntimeFamily family) const;
  void probe_family(RuntimeFamily family);

  std::filesystem::path clients_dir_;
  Probe node_;
  Probe python_;
};

}  // namespace lambdad::scheduler
