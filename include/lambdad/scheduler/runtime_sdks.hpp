#pragma once
/// @brief The AWS SDKs Lambda's managed runtimes ship, found on this machine: the AWS SDK for
/// JavaScript v3 (`@aws-sdk/*`) for nodejs*, boto3 for python3.*. Functions rely on them without
/// bundling them; lambdad puts the machine's installed ones on the runtime's module path, as
/// Lambda does with /var/runtime/node_modules and its Python site-packages.

#include <filesystem>
#include <optional>
#include <string>

namespace lambdad::scheduler {

struct RuntimeSdk {
  /// Node.js: a node_modules folder holding @aws-sdk/ (the global npm root); Python: a folder
  /// holding boto3/ (the interpreter's site-packages or Debian's dist-packages).
  std::filesystem::path dir;
  /// Python: the folder is on the interpreter's own sys.path already (no PYTHONPATH entry).
  bool on_interpreter_path = false;
};

/// The global npm roots for a node binary (`$NPM_CONFIG_PREFIX/lib/node_modules`, then its own
/// prefix's lib/node_modules, as `npm root -g` says, then /usr/local and /usr): the first holding
/// @aws-sdk. `why` says what was looked at when nothing is found.
std::optional<RuntimeSdk> find_node_sdk(const std::filesystem::path& node, std::string& why);

/// boto3 for a python3 binary of `version` (e.g. 3.11.7): its prefix's site-packages, then
/// Debian's dist-packages (python3-boto3).
std::optional<RuntimeSdk> find_python_sdk(const std::filesystem::path& python,
                                          const std::string& version, std::string& why);

}  // namespace lambdad::scheduler
