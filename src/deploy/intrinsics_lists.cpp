#include <openssl/evp.h>

#include "intrinsics.hpp"

namespace lambdad::deploy {

const Node* Resolver::arguments(const Node& arg, int line, std::string_view function, size_t min,
                                size_t max) {
  if (arg.is_list() && arg.items.size() >= min && arg.items.size() <= max) return &arg;
  const std::string count =
      min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
  fail(line, std::string(function) + " takes a list of " + count + " items");
  return nullptr;
}

std::optional<std::string> Resolver::text_argument(const Node& node, std::string_view function,
                                                   bool& unresolvable) {
  if (node.is_invalid()) return std::nullopt;
  if (node.unresolved) {
    unresolvable = true;
    return std::nullopt;
  }
  if (!node.is_scalar()) {
    fail(node.line, std::string(function) + " needs a string here, got " + describe(node));
    return std::nullopt;
  }
  return node.text;
}

std::optional<Node> Resolver::fn_join(const Node& arg, int line) {
  const Node* args = arguments(arg, line, "Fn::Join", 2, 2);
  if (!args) return Node::invalid(line);
  bool unresolvable = false;
  const Node delimiter = resolve_value(args->items[0], "Fn::Join");
  const Node values = resolve_value(args->items[1], "Fn::Join");
  auto separator = text_argument(delimiter, "Fn::Join", unresolvable);
  if (!values.is_list() && !values.unresolved && !values.is_invalid()) {
    return fail(line, "Fn::Join needs a list of values, got " + describe(values));
  }
  std::string out;
  bool ok = separator.has_value() || unresolvable;
  for (size_t i = 0; i < values.items.size(); ++i) {
    auto text = text_argument(values.items[i], "Fn::Join", unresolvable);
    ok = ok && (text.has_value() || unresolvable);
    if (text && separator) out += (i ? *separator : "") + *text;
  }
  if (!ok || values.is_invalid()) return Node::invalid(line);
  if (unresolvable || values.unresolved) {
    Node kept = Node::list(line);
    kept.items = {delimiter, values};
    return unresolved("Fn::Join", std::move(kept), line);
  }
  return Node::scalar(out, line);
}

std::optional<Node> Resolver::fn_select(const Node& arg, int line) {
  const Node* args = arguments(arg, line, "Fn::Select", 2, 2);
  if (!args) return Node::invalid(line);
  const Node index = resolve_value(args->items[0], "Fn::Select");
  const Node values = resolve_value(args->items[1], "Fn::Select");
  if (index.is_invalid() || values.is_invalid()) return Node::invalid(line);
  if (index.unresolved || values.unresolved) {
    Node kept = Node::list(line);
    kept.items = {index, values};
    return unresolved("Fn::Select", std::move(kept), line);
  }
  const auto position = to_integer(index);
  if (!position || *position < 0) {
    return fail(line, "Fn::Select needs an index of 0 or more, got " + describe(index));
  }
  if (!values.is_list()) return fail(line, "Fn::Select needs a list, got " + describe(values));
  if (static_cast<size_t>(*position) >= values.items.size()) {
    return fail(line, "Fn::Select index " + std::to_string(*position) +
                          " is out of range for a list of " + std::to_string(values.items.size()));
  }
  Node chosen = values.items[*position];
  chosen.line = line;
  return chosen;
}

std::optional<Node> Resolver::fn_split(const Node& arg, int line) {
  const Node* args = arguments(arg, line, "Fn::Split", 2, 2);
  if (!args) return Node::invalid(line);
  bool unresolvable = false;
  const Node source = resolve_value(args->items[1], "Fn::Split");
  auto delimiter =
      text_argument(resolve_value(args->items[0], "Fn::Split"), "Fn::Split", unresolvable);
  auto text = text_argument(source, "Fn::Split", unresolvable);
  if (unresolvable) return unresolved("Fn::Split", *args, line);
  if (!delimiter || !text) return Node::invalid(line);
  if (delimiter->empty()) return fail(line, "Fn::Split needs a non-empty delimiter");
  Node parts = Node::list(line);
  size_t pos = 0;
  for (size_t next; (next = text->find(*delimiter, pos)) != std::string::npos;
       pos = next + delimiter->size()) {
    parts.items.push_back(Node::scalar(text->substr(pos, next - pos), line));
  }
  parts.items.push_back(Node::scalar(text->substr(pos), line));
  return parts;
}

std::optional<Node> Resolver::fn_find_in_map(const Node& arg, int line) {
  const Node* args = arguments(arg, line, "Fn::FindInMap", 3, 4);
  if (!args) return Node::invalid(line);
  bool unresolvable = false;
  std::optional<std::string> keys[3];
  for (int i = 0; i < 3; ++i) {
    keys[i] = text_argument(resolve_value(args->items[i], "Fn::FindInMap"), "Fn::FindInMap",
                            unresolvable);
  }
  if (unresolvable) return unresolved("Fn::FindInMap", *args, line);
  if (!keys[0] || !keys[1] || !keys[2]) return Node::invalid(line);
  const Node* map = inputs_.mappings ? inputs_.mappings->find(*keys[0]) : nullptr;
  const Node* top = map && map->is_map() ? map->find(*keys[1]) : nullptr;
  const Node* value = top && top->is_map() ? top->find(*keys[2]) : nullptr;
  if (!value && args->items.size() == 4) {
    // AWS::LanguageExtensions' default: [Map, Key, Key, {DefaultValue: x}]
    value = args->items[3].is_map() ? args->items[3].find("DefaultValue") : nullptr;
  }
  if (!value) {
    const std::string what =
        !map   ? "there is no mapping '" + *keys[0] + "'"
        : !top ? "mapping '" + *keys[0] + "' has no key '" + *keys[1] + "'"
               : "mapping '" + *keys[0] + "' has no key '" + *keys[1] + "' > '" + *keys[2] + "'";
    return fail(line, "Fn::FindInMap: " + what);
  }
  Node found = resolve_value(*value, "Fn::FindInMap");
  found.line = line;
  return found;
}

std::optional<Node> Resolver::fn_base64(const Node& arg, int line) {
  bool unresolvable = false;
  const Node value = resolve_value(arg, "Fn::Base64");
  auto text = text_argument(value, "Fn::Base64", unresolvable);
  if (unresolvable) return unresolved("Fn::Base64", value, line);
  if (!text) return Node::invalid(line);
  std::string encoded(4 * ((text->size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                   reinterpret_cast<const unsigned char*>(text->data()),
                                   static_cast<int>(text->size()));
  encoded.resize(static_cast<size_t>(size));
  return Node::scalar(encoded, line);
}

std::optional<Node> Resolver::fn_length(const Node& arg, int line) {
  const Node value = resolve_value(arg, "Fn::Length");
  if (value.is_invalid()) return Node::invalid(line);
  if (value.unresolved) return unresolved("Fn::Length", value, line);
  if (!value.is_list()) return fail(line, "Fn::Length needs a list, got " + describe(value));
  return Node::scalar(std::to_string(value.items.size()), line, false);
}

std::optional<Node> Resolver::fn_to_json_string(const Node& arg, int line) {
  const Node value = resolve_value(arg, "Fn::ToJsonString");
  if (value.is_invalid()) return Node::invalid(line);
  if (value.unresolved) return unresolved("Fn::ToJsonString", value, line);
  return Node::scalar(to_json(value).dump(), line);
}

}  // namespace lambdad::deploy
