// The build template: sam's `move_template` — built resources point at their artifact folder,
// other local paths are made relative to the build folder, the rest is emitted as parsed.
#include "lambdad/build/build_template.hpp"

#include <system_error>

#include <yaml-cpp/yaml.h>

#include "lambdad/build/build.hpp"
#include "yaml_json.hpp"

namespace lambdad::build {
namespace {

namespace fs = std::filesystem;

/// Emits `node` as parsed: tags such as !Ref and !GetAtt as the short local tags users write,
/// quoted scalars quoted (a quoted "123" stays a string), text with newlines as a literal block.
void emit(YAML::Emitter& out, const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (!tag.empty() && tag != "?" && tag != "!") {
    if (tag.starts_with("!") && !tag.starts_with("!!")) {
      out << YAML::LocalTag(tag.substr(1));
    } else {
      out << YAML::VerbatimTag(tag);
    }
  }
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& entry : node) {
        out << YAML::Key;
        emit(out, entry.first);
        out << YAML::Value;
        emit(out, entry.second);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      out << YAML::BeginSeq;
      for (const auto& entry : node) emit(out, entry);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      if (node.Scalar().find('\n') != std::string::npos) {
        out << YAML::Literal << node.Scalar();
      } else if (tag == "!") {
        out << YAML::DoubleQuoted << node.Scalar();
      } else {
        out << node.Scalar();
      }
      break;
    default:
      out << YAML::Null;
  }
}

bool is_local_path(const std::string& text) {
  return !text.empty() && !text.starts_with("s3://") && !text.starts_with("https://") &&
         !text.starts_with("http://") && fs::path(text).is_relative();
}

fs::path absolute_clean(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : out;
}

/// A relative path of the source template, as seen from the build folder.
void rebase(YAML::Node node, const fs::path& base, const fs::path& build_dir) {
  if (!node || !node.IsScalar() || node.Tag() == "!Ref" || !is_local_path(node.Scalar())) return;
  fs::path rebased = absolute_clean(base / node.Scalar()).lexically_relative(build_dir);
  if (rebased.empty()) rebased = ".";
  node = rebased.string();
  node.SetTag("?");  // written plain, as sam writes paths
}

}  // namespace

std::string build_template_text(const fs::path& source_template, const fs::path& build_dir,
                                const std::set<std::string>& built) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(source_template.string());
  } catch (const YAML::Exception& e) {
    throw BuildError(source_template.string() + ": " + e.what());
  }
  const fs::path base = absolute_clean(source_template.parent_path());
  const fs::path build = absolute_clean(build_dir);
  if (YAML::Node globals = root["Globals"]; globals && globals.IsMap()) {
    if (YAML::Node function = globals["Function"]; function && function.IsMap()) {
      rebase(function["CodeUri"], base, build);
    }
  }
  if (YAML::Node resources = root["Resources"]; resources && resources.IsMap()) {
    for (auto entry : resources) {
      YAML::Node resource = entry.second;
      if (!resource.IsMap()) continue;
      const std::string id = entry.first.Scalar();
      const std::string type = scalar_or_empty(resource["Type"]);
      const char* key = type == "AWS::Serverless::Function"       ? "CodeUri"
                        : type == "AWS::Serverless::LayerVersion" ? "ContentUri"
                        : (type == "AWS::Serverless::Api" || type == "AWS::Serverless::HttpApi" ||
                           type == "AWS::Serverless::StateMachine")
                            ? "DefinitionUri"
                            : nullptr;
      if (!key) continue;
      if (built.contains(id)) {
        YAML::Node path = resource["Properties"][key];
        path = id;  // relative to the build template, as sam writes it
        path.SetTag("?");
      } else if (YAML::Node properties = resource["Properties"]; properties && properties.IsMap()) {
        rebase(properties[key], base, build);
      }
    }
  }
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, root);
  if (!out.good()) throw BuildError("cannot write the build template: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace lambdad::build
