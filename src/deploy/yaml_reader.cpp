#include "yaml_reader.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace lambdad::deploy {

namespace {

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

int line_of(const YAML::Mark& mark) {
  return mark.line < 0 ? 0 : mark.line + 1;
}

/// `!Ref` -> `Ref`, `!Sub` -> `Fn::Sub`; empty for a tag that is no intrinsic.
std::string long_form(std::string_view tag) {
  static const std::set<std::string_view> kFunctions = {
      "And",    "Base64", "Cidr",        "Equals", "FindInMap", "GetAtt",
      "GetAZs", "If",     "ImportValue", "Join",   "Length",    "Not",
      "Or",     "Select", "Split",       "Sub",    "Transform", "ToJsonString"};
  if (tag.size() < 2 || tag.front() != '!') return "";
  tag.remove_prefix(1);
  if (tag == "Ref" || tag == "Condition") return std::string(tag);
  if (kFunctions.contains(tag)) return "Fn::" + std::string(tag);
  return "";
}

class Converter {
 public:
  static constexpr size_t kMaxDepth = 256;
  static constexpr size_t kMaxNodes = 1000000;

  explicit Converter(Problems& problems) : problems_(problems) {}

  Node convert(const YAML::Node& yaml, int line) {
    // Aliases make yaml-cpp's graph a cycle (an alias inside its own anchor) or expand it
    // exponentially (anchors of aliases of anchors): refuse both, as each would hang or overflow
    // the stack (found by fuzz_template).
    if (++nodes_ > kMaxNodes || path_.size() >= kMaxDepth) {
      return refused(line, "the YAML nests deeper than " + std::to_string(kMaxDepth) +
                               " levels or expands to more than " + std::to_string(kMaxNodes) +
                               " values (through aliases?)");
    }
    const bool container = yaml.IsMap() || yaml.IsSequence();
    if (container) {
      for (const YAML::Node& ancestor : path_) {
        if (ancestor.is(yaml)) return refused(line, "an alias inside its own anchor");
      }
      path_.push_back(yaml);
    }
    Node node = convert_untagged(yaml, line);
    if (container) path_.pop_back();
    return apply_tag(yaml.Tag(), std::move(node));
  }

  Node refused(int line, const std::string& why) {
    if (!refused_) problems_.error(line, why);
    refused_ = true;
    return Node::invalid(line);
  }

 private:
  Node convert_untagged(const YAML::Node& yaml, int line) {
    switch (yaml.Type()) {
      case YAML::NodeType::Scalar:
        return Node::scalar(yaml.Scalar(), line, is_string_tag(yaml.Tag()));
      case YAML::NodeType::Sequence:
        return convert_sequence(yaml, line);
      case YAML::NodeType::Map:
        return convert_map(yaml, line);
      default:
        return Node{.line = line};
    }
  }

  static bool is_string_tag(const std::string& tag) {
    // "!" is yaml-cpp's tag for a quoted scalar; "?" for a plain one.
    return tag == "!" || tag == std::string(kYamlTagPrefix) + "str";
  }

  Node apply_tag(const std::string& tag, Node node) {
    if (tag.empty() || tag == "?" || tag == "!" || tag.starts_with(kYamlTagPrefix)) return node;
    const std::string name = long_form(tag);
    if (name.empty()) {
      problems_.error(node.line,
                      "unknown tag " + tag + " (not a CloudFormation intrinsic function)");
      return Node::invalid(node.line);
    }
    Node wrapper = Node::map(node.line);
    wrapper.entries.push_back({name, std::move(node)});
    return wrapper;
  }

  Node convert_sequence(const YAML::Node& yaml, int line) {
    Node list = Node::list(line);
    for (const auto& item : yaml) list.items.push_back(convert(item, line_of(item.Mark())));
    return list;
  }

  Node convert_map(const YAML::Node& yaml, int line) {
    Node map = Node::map(line);
    std::map<std::string, int> first_line;
    std::vector<Node> merges;
    for (const auto& kv : yaml) {
      const int key_line = line_of(kv.first.Mark());
      if (!kv.first.IsScalar()) {
        problems_.error(key_line, "a map key must be a plain string");
        continue;
      }
      const std::string key = kv.first.Scalar();
      Node value = convert(kv.second, key_line);
      value.line = key_line;
      if (key == "<<" && kv.first.Tag() == "?") {
        merges.push_back(std::move(value));
        continue;
      }
      if (auto [it, fresh] = first_line.emplace(key, key_line); !fresh) {
        // CloudFormation's and sam's parsers keep the last value of a repeated key.
        problems_.warning(key_line, "duplicate key '" + key + "' at lines " +
                                        std::to_string(it->second) + " and " +
                                        std::to_string(key_line) + "; the last one is used");
        *map.find(key) = std::move(value);
        continue;
      }
      map.entries.push_back({key, std::move(value)});
    }
    for (const Node& merge : merges) apply_merge_key(map, merge);
    return map;
  }

  // YAML's `<<: *anchor` merge key, which sam's own parser honours and yaml-cpp does not.
  void apply_merge_key(Node& map, const Node& merge) {
    if (merge.is_list()) {
      for (const Node& item : merge.items) apply_merge_key(map, item);
      return;
    }
    if (!merge.is_map()) {
      problems_.error(merge.line, "the merge key '<<' needs a map or a list of maps");
      return;
    }
    for (const auto& entry : merge.entries) {
      if (!map.find(entry.key)) map.entries.push_back(entry);
    }
  }

  Problems& problems_;
  std::vector<YAML::Node> path_;  ///< the maps and lists being converted, outermost first
  size_t nodes_ = 0;
  bool refused_ = false;
};

std::optional<Node> load(const std::string& text, Problems& problems) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    problems.error(line_of(e.mark), "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  return Converter(problems).convert(root, 1);
}

}  // namespace

std::optional<Node> read_yaml_text(const std::string& text, Problems& problems) {
  return load(text, problems);
}

std::optional<Node> read_yaml_file(const std::filesystem::path& file, Problems& problems) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    if (std::filesystem::is_regular_file(file) && std::filesystem::file_size(file) == 0) {
      return load("", problems);
    }
    problems.error(0, "cannot read " + file.string());
    return std::nullopt;
  }
  return load(text.str(), problems);
}

}  // namespace lambdad::deploy
