// Which resources `lambdad build` builds and with which workflow, as sam decides it.
#include <algorithm>
#include <cctype>

#include <yaml-cpp/yaml.h>

#include "lambdad/build/build.hpp"
#include "lambdad/deploy/template_loader.hpp"
#include "lambdad/scheduler/runtimes.hpp"
#include "yaml_json.hpp"

namespace lambdad::build {

namespace fs = std::filesystem;

nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      auto out = nlohmann::json::object();
      for (const auto& entry : node) out[entry.first.Scalar()] = yaml_to_json(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      auto out = nlohmann::json::array();
      for (const auto& entry : node) out.push_back(yaml_to_json(entry));
      return out;
    }
    case YAML::NodeType::Scalar:
      if (node.Tag() != "!") {  // a quoted "true" stays a string
        if (node.Scalar() == "true" || node.Scalar() == "True") return true;
        if (node.Scalar() == "false" || node.Scalar() == "False") return false;
      }
      return node.Scalar();
    default:
      return nullptr;
  }
}

std::string scalar_or_empty(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : std::string();
}

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string problems_text(const deploy::TemplateError& e) {
  std::string text = "the template does not load:";
  for (const auto& p : e.problems()) {
    text += "\n  " + e.file().string() + ":" + std::to_string(p.line) + ": error: " + p.message;
  }
  if (e.problems().empty()) text += std::string(" ") + e.what();
  return text;
}

Workflow function_workflow(const std::string& id, const std::string& runtime,
                           const std::string& method) {
  const std::string m = lower(method);
  if (m == "esbuild") {
    if (scheduler::runtime_family(runtime) != scheduler::RuntimeFamily::kNode) {
      throw BuildError("function '" + id + "': BuildMethod esbuild needs a nodejs* runtime, not " +
                       runtime);
    }
    return Workflow::kEsbuild;
  }
  if (m == "makefile") return Workflow::kMakefile;
  if (!m.empty() && m != lower(runtime)) {
    throw BuildError("function '" + id + "': BuildMethod " + method +
                     " is not one lambdad build runs (esbuild, makefile, or none for the "
                     "runtime's own workflow)");
  }
  switch (scheduler::runtime_family(runtime)) {
    case scheduler::RuntimeFamily::kNode:
      return Workflow::kNpm;
    case scheduler::RuntimeFamily::kPython:
      return Workflow::kPip;
    default:
      return Workflow::kCopy;
  }
}

Workflow layer_workflow(const std::string& id, const std::string& method) {
  const std::string m = lower(method);
  if (m == "makefile") return Workflow::kMakefile;
  if (m.starts_with("nodejs")) return Workflow::kNpm;
  if (m.starts_with("python")) return Workflow::kPip;
  throw BuildError("layer '" + id + "': BuildMethod " + method +
                   " is not one lambdad build runs (makefile, nodejs*, python3.*)");
}

}  // namespace

std::vector<BuildItem> plan_build(const BuildOptions& options) {
  Template tmpl;
  try {
    tmpl = deploy::load_template(options.template_file, options.parameter_overrides);
  } catch (const deploy::TemplateError& e) {
    throw BuildError(problems_text(e));
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(options.template_file.string());
  } catch (const YAML::Exception& e) {
    throw BuildError(options.template_file.string() + ": " + e.what());
  }
  const fs::path base = options.template_file.parent_path();
  std::vector<BuildItem> items;
  const YAML::Node resources = root["Resources"];
  if (!resources || !resources.IsMap()) return items;
  for (const auto& entry : resources) {
    const std::string id = entry.first.Scalar();
    const YAML::Node& resource = entry.second;
    if (!resource.IsMap()) continue;
    const std::string type = scalar_or_empty(resource["Type"]);
    const YAML::Node properties = resource["Properties"];
    const YAML::Node metadata = resource["Metadata"];
    const std::string method =
        metadata && metadata.IsMap() ? scalar_or_empty(metadata["BuildMethod"]) : "";
    BuildItem item{.logical_id = id, .line = resource.Mark().line + 1};
    if (metadata && metadata.IsMap() && metadata["BuildProperties"]) {
      item.build_properties = yaml_to_json(metadata["BuildProperties"]);
    }
    if (type == "AWS::Serverless::Function") {
      const std::string code_uri =
          properties && properties.IsMap() ? scalar_or_empty(properties["CodeUri"]) : "";
      if (properties && properties.IsMap() &&
          (properties["InlineCode"] || scalar_or_empty(properties["PackageType"]) == "Image" ||
           code_uri.ends_with(".zip") || code_uri.ends_with(".jar"))) {
        continue;  // nothing to build (an archive is already built), as with sam
      }
      const auto config = std::find_if(tmpl.functions.begin(), tmpl.functions.end(),
                                       [&](const auto& f) { return f.logical_id == id; });
      if (config == tmpl.functions.end()) continue;
      item.runtime = config->runtime;
      item.code_dir = config->code_dir;
      item.workflow = function_workflow(id, config->runtime, method);
      items.push_back(std::move(item));
    } else if (type == "AWS::Serverless::LayerVersion" && !method.empty()) {
      const std::string content =
          properties && properties.IsMap() ? scalar_or_empty(properties["ContentUri"]) : "";
      if (content.empty() || content.starts_with("s3://")) {
        throw BuildError("layer '" + id + "': BuildMethod " + method +
                         " needs a local ContentUri folder");
      }
      item.layer = true;
      item.runtime = method;
      item.code_dir = (base / content).lexically_normal();
      item.workflow = layer_workflow(id, method);
      items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace lambdad::build
