// Functions that load but cannot answer before `lambdad build`: said at load, not at the first
// request (where they would fail with Runtime.ImportModuleError).
#include "lambdad/build/needs_build.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "lambdad/build/builders.hpp"
#include "lambdad/scheduler/runtimes.hpp"
#include "yaml_json.hpp"

namespace lambdad::build {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRun = "run 'lambdad build'";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// `requests`, `Flask-Login`, `ruamel.yaml` as pip names its folders: lowercase, `_` for `-.`.
std::string normalized(std::string name) {
  name = lower(std::move(name));
  std::replace_if(
      name.begin(), name.end(), [](char c) { return c == '-' || c == '.'; }, '_');
  return name;
}

/// The handler's module file (`src/app` of `src/app.handler`) with a JavaScript extension.
bool handler_module_exists(const FunctionConfig& f) {
  const size_t dot = f.handler.rfind('.');
  const std::string module = dot == std::string::npos ? f.handler : f.handler.substr(0, dot);
  for (const char* ext : {".js", ".mjs", ".cjs"}) {
    if (fs::exists(f.code_dir / (module + ext))) return true;
  }
  return false;
}

/// Node.js packages the function cannot find: in its node_modules or a layer's.
std::vector<std::string> missing_node_packages(const FunctionConfig& f) {
  std::ifstream in(f.code_dir / "package.json");
  const auto manifest = nlohmann::json::parse(in, nullptr, false);
  std::vector<std::string> missing;
  if (!manifest.is_object() || !manifest.contains("dependencies") ||
      !manifest["dependencies"].is_object()) {
    return missing;
  }
  const std::string major = "node" + scheduler::runtime_version(f.runtime);
  for (const auto& [name, version] : manifest["dependencies"].items()) {
    // The runtime ships the AWS SDK for JavaScript v3 (and lambdad puts the machine's there).
    if (name.starts_with("@aws-sdk/") || name.starts_with("@smithy/")) continue;
    bool found = fs::exists(f.code_dir / "node_modules" / name);
    for (const auto& layer : f.layers) {
      found = found || fs::exists(layer / "nodejs" / "node_modules" / name) ||
              fs::exists(layer / "nodejs" / major / "node_modules" / name);
    }
    if (!found) missing.push_back(name);
  }
  return missing;
}

bool python_package_in(const fs::path& folder, const std::string& name) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string file = normalized(entry.path().filename().string());
    if (file == name || file == name + "_py" ||
        ((file.ends_with("_dist_info") || file.ends_with("_egg_info")) &&
         file.starts_with(name + "_"))) {
      return true;
    }
  }
  return false;
}

/// requirements.txt packages found neither in the code folder nor in a layer's python/.
std::vector<std::string> missing_python_packages(const FunctionConfig& f) {
  std::vector<std::string> missing;
  for (const auto& name : requirement_names(f.code_dir / "requirements.txt")) {
    const std::string n = normalized(name);
    // The runtime ships boto3 and its dependencies.
    if (n == "boto3" || n == "botocore" || n == "s3transfer" || n == "jmespath") continue;
    bool found = python_package_in(f.code_dir, n);
    for (const auto& layer : f.layers) found = found || python_package_in(layer / "python", n);
    if (!found) missing.push_back(name);
  }
  return missing;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<TemplateWarning> needs_build_warnings(const Template& tmpl) {
  YAML::Node resources;
  try {
    resources = YAML::LoadFile(tmpl.path.string())["Resources"];
  } catch (const YAML::Exception&) {
    return {};  // the loader read it; a race with an edit is not worth a warning
  }
  std::vector<TemplateWarning> out;
  for (const auto& f : tmpl.functions) {
    if (!f.missing_code.empty()) continue;  // the loader said what to run
    std::string method;
    if (resources && resources.IsMap()) {
      const YAML::Node metadata = resources[f.logical_id]["Metadata"];
      if (metadata && metadata.IsMap()) method = lower(scalar_or_empty(metadata["BuildMethod"]));
    }
    const std::string who = "function '" + f.logical_id + "': ";
    if (method == "esbuild") {
      if (!handler_module_exists(f)) {
        out.push_back({f.line, who + "BuildMethod esbuild needs a build (no bundle for handler " +
                                   f.handler + " in " + f.code_dir.string() + "): " + kRun});
      }
      continue;
    }
    if (method == "makefile") {
      if (fs::exists(f.code_dir / "Makefile")) {
        out.push_back({f.line, who + "BuildMethod makefile needs a build: " + kRun});
      }
      continue;
    }
    switch (scheduler::runtime_family(f.runtime)) {
      case scheduler::RuntimeFamily::kNode:
        if (auto missing = missing_node_packages(f); !missing.empty()) {
          out.push_back({f.line, who + "package.json dependencies are not installed (" +
                                     listed(missing) + " not in " +
                                     (f.code_dir / "node_modules").string() + "): " + kRun});
        }
        break;
      case scheduler::RuntimeFamily::kPython:
        if (auto missing = missing_python_packages(f); !missing.empty()) {
          out.push_back({f.line, who + "requirements.txt packages are not installed (" +
                                     listed(missing) + " not in " + f.code_dir.string() +
                                     "): " + kRun});
        }
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace lambdad::build
