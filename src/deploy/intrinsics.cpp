#include "intrinsics.hpp"

#include <algorithm>
#include <utility>

namespace lambdad::deploy {

namespace {

std::string trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

Resolver::Resolver(ResolverInputs inputs, Problems& problems)
    : inputs_(std::move(inputs)), problems_(problems) {}

std::optional<Node> Resolver::resolve(const Node& node, const std::string& who) {
  const std::string saved = std::exchange(who_, who);
  auto result = resolve_any(node);
  who_ = saved;
  return result;
}

std::optional<Node> Resolver::resolve_any(const Node& node) {
  if (node.is_list()) return resolve_list(node);
  if (node.is_map()) return is_intrinsic(node) ? resolve_intrinsic(node) : resolve_map(node);
  return node;
}

std::optional<Node> Resolver::resolve_map(const Node& node) {
  Node out = Node::map(node.line);
  for (const auto& entry : node.entries) {
    if (auto value = resolve_any(entry.value))
      out.entries.push_back({entry.key, *std::move(value)});
  }
  return out;
}

std::optional<Node> Resolver::resolve_list(const Node& node) {
  Node out = Node::list(node.line);
  for (const auto& item : node.items) {
    if (auto value = resolve_any(item)) out.items.push_back(*std::move(value));
  }
  return out;
}

std::optional<Node> Resolver::resolve_intrinsic(const Node& node) {
  const auto& [function, arg] = node.entries.front();
  const Handler handler = handler_for(function);
  if (!handler) return fail(node.line, "unknown intrinsic function " + function);
  return (this->*handler)(arg, node.line);
}

Resolver::Handler Resolver::handler_for(const std::string& function) {
  static const std::map<std::string, Handler, std::less<>> kHandlers = {
      {"Ref", &Resolver::fn_ref},
      {"Fn::Sub", &Resolver::fn_sub},
      {"Fn::GetAtt", &Resolver::fn_get_att},
      {"Fn::ImportValue", &Resolver::fn_import_value},
      {"Fn::GetAZs", &Resolver::fn_get_azs},
      {"Fn::Cidr", &Resolver::fn_cidr},
      {"Fn::Transform", &Resolver::fn_transform},
      {"Fn::Join", &Resolver::fn_join},
      {"Fn::Select", &Resolver::fn_select},
      {"Fn::Split", &Resolver::fn_split},
      {"Fn::FindInMap", &Resolver::fn_find_in_map},
      {"Fn::Base64", &Resolver::fn_base64},
      {"Fn::Length", &Resolver::fn_length},
      {"Fn::ToJsonString", &Resolver::fn_to_json_string},
      {"Fn::If", &Resolver::fn_if},
      {"Fn::Equals", &Resolver::fn_equals},
      {"Fn::Not", &Resolver::fn_not},
      {"Fn::And", &Resolver::fn_and},
      {"Fn::Or", &Resolver::fn_or},
  };
  auto it = kHandlers.find(function);
  return it == kHandlers.end() ? nullptr : it->second;
}

Node Resolver::resolve_value(const Node& node, std::string_view function) {
  auto value = resolve_any(node);
  if (!value) return fail(node.line, std::string(function) + " cannot use AWS::NoValue here");
  return *std::move(value);
}

Node Resolver::fail(int line, const std::string& message) {
  problems_.error(line, who_.empty() ? message : who_ + ": " + message);
  return Node::invalid(line);
}

Node Resolver::unresolved(const std::string& function, Node arg, int line) {
  Node node = Node::map(line);
  node.entries.push_back({function, std::move(arg)});
  node.unresolved = true;
  return node;
}

std::optional<Node> Resolver::lookup_name(const std::string& name, int line) {
  if (auto it = inputs_.pseudo.find(name); it != inputs_.pseudo.end()) {
    return at_line(it->second, line);
  }
  if (auto it = inputs_.parameters.find(name); it != inputs_.parameters.end()) {
    // As sam local does: a parameter with no value stays a Ref; only a property lambdad needs
    // is an error (see missing_parameters), an environment variable becomes ''.
    if (!it->second.value) return unresolved("Ref", Node::scalar(name, line), line);
    return at_line(*it->second.value, line);
  }
  std::optional<ResourceValue> found;
  if (inputs_.reference) {
    found = inputs_.reference(name, nullptr);
  } else if (inputs_.resource_types.contains(name)) {
    found = ResourceValue{name, name};
  }
  if (!found) return std::nullopt;
  if (!found->value) return unresolved("Ref", Node::scalar(name, line), line);
  Node value = Node::scalar(*found->value, line);
  value.ref = found->logical_id;
  return value;
}

void Resolver::collect_missing(const Node& node, std::vector<std::string>& out) const {
  auto add = [&](const std::string& name) {
    auto it = inputs_.parameters.find(name);
    if (it == inputs_.parameters.end() || it->second.value) return;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  if (node.is_map() && node.entries.size() == 1 && node.entries.front().key == "Ref" &&
      node.entries.front().value.is_scalar()) {
    return add(node.entries.front().value.text);
  }
  if (node.is_map() && node.entries.size() == 1 && node.entries.front().key == "Fn::Sub") {
    const Node& arg = node.entries.front().value;
    const Node* text = arg.is_list() && !arg.items.empty() ? &arg.items.front() : &arg;
    if (text->is_scalar()) {
      for (size_t open = text->text.find("${"); open != std::string::npos;
           open = text->text.find("${", open + 2)) {
        const size_t close = text->text.find('}', open);
        if (close == std::string::npos) break;
        add(trim(std::string_view(text->text).substr(open + 2, close - open - 2)));
      }
    }
  }
  for (const Node& item : node.items) collect_missing(item, out);
  for (const NodeEntry& entry : node.entries) collect_missing(entry.value, out);
}

std::vector<std::string> Resolver::missing_parameters(const Node& node) const {
  std::vector<std::string> names;
  if (node.unresolved) collect_missing(node, names);
  return names;
}

std::string Resolver::unresolved_reason(const Node& node) const {
  const auto names = missing_parameters(node);
  if (names.empty()) return "uses " + describe(node) + ", which lambdad cannot resolve locally";
  std::string text;
  std::string overrides;
  for (const auto& name : names) {
    text += (text.empty() ? "'" : ", '") + name + "'";
    overrides += (overrides.empty() ? "" : " ") + name + "=VALUE";
    const auto& reason = inputs_.parameters.at(name).missing_reason;
    if (reason.find("SSM") != std::string::npos) text += " (read from SSM Parameter Store)";
  }
  return "uses parameter " + text + ", which has no Default and no value: give " +
         (names.size() == 1 ? "it" : "them") + " one with --parameter-overrides " + overrides;
}

std::optional<Node> Resolver::fn_ref(const Node& arg, int line) {
  if (!arg.is_scalar()) return fail(line, "Ref needs the name of a parameter or resource");
  if (arg.text == "AWS::NoValue") return std::nullopt;
  if (auto value = lookup_name(arg.text, line)) return value;
  return fail(line, "Ref to unknown parameter or resource '" + arg.text + "'");
}

std::optional<Node> Resolver::fn_sub(const Node& arg, int line) {
  const Node* text = &arg;
  Node variables = Node::map(line);
  if (arg.is_list()) {
    if (arg.items.size() != 2 || !arg.items[1].is_map()) {
      return fail(line, "Fn::Sub takes a string, or a list of a string and a map of variables");
    }
    text = &arg.items[0];
    for (const auto& entry : arg.items[1].entries) {
      variables.entries.push_back({entry.key, resolve_value(entry.value, "Fn::Sub")});
    }
  }
  if (!text->is_scalar()) return fail(line, "Fn::Sub needs a string, got " + describe(*text));
  bool unresolvable = false;
  auto result = substitute(text->text, line, variables, unresolvable);
  if (!result) return Node::invalid(line);
  if (unresolvable) {
    Node kept = Node::list(line);
    kept.items = {*text, variables};
    return unresolved("Fn::Sub", variables.entries.empty() ? *text : kept, line);
  }
  return Node::scalar(*std::move(result), line);
}

std::optional<std::string> Resolver::substitute(const std::string& text, int line,
                                                const Node& variables, bool& unresolvable) {
  std::string out;
  bool ok = true;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("${", pos);
    const size_t close = open == std::string::npos ? open : text.find('}', open + 2);
    if (close == std::string::npos) {
      out += text.substr(pos);
      break;
    }
    out += text.substr(pos, open - pos);
    const std::string inner = text.substr(open + 2, close - open - 2);
    if (inner.starts_with("!")) {
      out += "${" + inner.substr(1) + "}";  // ${!Literal} escapes the substitution
    } else if (auto value = sub_variable(trim(inner), line, variables, unresolvable)) {
      out += *value;
    } else {
      ok = false;
    }
    pos = close + 1;
  }
  return ok ? std::optional(out) : std::nullopt;
}

std::optional<std::string> Resolver::sub_variable(const std::string& name, int line,
                                                  const Node& variables, bool& unresolvable) {
  const Node* value = variables.find(name);
  std::optional<Node> found;
  if (!value) {
    const size_t dot = name.find('.');
    if (dot != std::string::npos) {  // ${Resource.Attribute} is a Fn::GetAtt
      const std::string resource = name.substr(0, dot), attribute = name.substr(dot + 1);
      if (auto att = attribute_of(resource, attribute)) {
        if (att->value) return *att->value;
        unresolvable = true;
        return "";
      }
    }
    found = lookup_name(name, line);
    if (!found) {
      fail(line, "Fn::Sub refers to unknown variable, parameter or resource '" + name + "'");
      return std::nullopt;
    }
    value = &*found;
  }
  if (value->is_invalid()) return std::nullopt;
  if (value->unresolved) {
    unresolvable = true;
    return "";
  }
  if (!value->is_scalar()) {
    fail(line, "Fn::Sub cannot insert '" + name + "', which is " + describe(*value));
    return std::nullopt;
  }
  return value->text;
}

std::optional<Node> Resolver::fn_get_att(const Node& arg, int line) {
  std::string resource;
  Node attribute;
  if (arg.is_scalar() && arg.text.find('.') != std::string::npos) {
    resource = arg.text.substr(0, arg.text.find('.'));
    attribute = Node::scalar(arg.text.substr(arg.text.find('.') + 1), line);
  } else if (arg.is_list() && arg.items.size() == 2 && arg.items[0].is_scalar()) {
    resource = arg.items[0].text;
    attribute = resolve_value(arg.items[1], "Fn::GetAtt");
  } else {
    return fail(line, "Fn::GetAtt takes 'Resource.Attribute' or [Resource, Attribute]");
  }
  std::optional<ResourceValue> found;
  if (attribute.is_scalar() && !attribute.unresolved)
    found = attribute_of(resource, attribute.text);
  if (!found && !inputs_.resource_types.contains(resource)) {
    return fail(line, "Fn::GetAtt refers to unknown resource '" + resource + "'");
  }
  if (found && found->value) return Node::scalar(*found->value, line);
  Node args = Node::list(line);
  args.items = {Node::scalar(resource, line), attribute};
  return unresolved("Fn::GetAtt", std::move(args), line);
}

std::optional<ResourceValue> Resolver::attribute_of(const std::string& resource,
                                                    const std::string& attribute) {
  if (inputs_.reference) return inputs_.reference(resource, &attribute);
  if (inputs_.resource_types.contains(resource)) return ResourceValue{std::nullopt, resource};
  return std::nullopt;
}

std::optional<Node> Resolver::keep_unresolved(const std::string& function, const Node& arg,
                                              int line) {
  return unresolved(function, resolve_value(arg, function), line);
}

std::optional<Node> Resolver::fn_import_value(const Node& arg, int line) {
  return keep_unresolved("Fn::ImportValue", arg, line);
}

std::optional<Node> Resolver::fn_get_azs(const Node& arg, int line) {
  return keep_unresolved("Fn::GetAZs", arg, line);
}

std::optional<Node> Resolver::fn_cidr(const Node& arg, int line) {
  return keep_unresolved("Fn::Cidr", arg, line);
}

std::optional<Node> Resolver::fn_transform(const Node& arg, int line) {
  return keep_unresolved("Fn::Transform", arg, line);
}

}  // namespace lambdad::deploy
