#include "node.hpp"

#include <algorithm>
#include <charconv>
#include "lambdad/common/regex.hpp"

namespace lambdad::deploy {

namespace {

bool is_null_text(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

std::optional<bool> bool_text(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

/// Longer scalars are strings: no integer or double needs more digits, and std::regex recurses once
/// per character.
constexpr size_t kMaxNumberLength = 400;

std::optional<long long> parse_integer(std::string_view text) {
  if (text.size() > kMaxNumberLength) return std::nullopt;
  static const std::regex decimal("[-+]?[0-9]+");
  static const std::regex hex("0x[0-9a-fA-F]+");
  static const std::regex octal("0o[0-7]+");
  const std::string s(text);
  int base = 10;
  std::string_view digits = text;
  if (std::regex_match(s, hex)) {
    base = 16;
    digits.remove_prefix(2);
  } else if (std::regex_match(s, octal)) {
    base = 8;
    digits.remove_prefix(2);
  } else if (!std::regex_match(s, decimal)) {
    return std::nullopt;
  }
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  long long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

/// A YAML 1.2 core-schema float (`[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`); one beyond
/// a double's range stays a string (std::stod threw on it: found by fuzz_openapi).
std::optional<double> parse_float(std::string_view text) {
  if (text.empty() || text.size() > kMaxNumberLength) return std::nullopt;
  std::string_view body = text;
  if (body.front() == '+' || body.front() == '-') body.remove_prefix(1);
  // from_chars would also take "inf", "nan" and a mantissa without digits before an exponent.
  const size_t mantissa_end = body.find_first_of("eE");
  const std::string_view mantissa = body.substr(0, mantissa_end);
  if (mantissa.empty() || mantissa == "." ||
      mantissa.find_first_not_of("0123456789.") != std::string_view::npos ||
      std::count(mantissa.begin(), mantissa.end(), '.') > 1) {
    return std::nullopt;
  }
  if (mantissa_end != std::string_view::npos) {
    std::string_view exponent = body.substr(mantissa_end + 1);
    if (!exponent.empty() && (exponent.front() == '+' || exponent.front() == '-')) {
      exponent.remove_prefix(1);
    }
    if (exponent.empty() || exponent.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
  }
  double value = 0;
  const char* first = text.front() == '+' ? text.data() + 1 : text.data();
  auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

const Node* Node::find(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

Node* Node::find(std::string_view key) {
  return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

void Node::set(std::string key, Node value) {
  if (Node* existing = find(key)) {
    *existing = std::move(value);
  } else {
    entries.push_back({std::move(key), std::move(value)});
  }
}

void Node::erase(std::string_view key) {
  std::erase_if(entries, [&](const NodeEntry& entry) { return entry.key == key; });
}

Node Node::scalar(std::string text, int line, bool quoted) {
  Node node;
  node.kind = Kind::Scalar;
  node.text = std::move(text);
  node.quoted = quoted;
  node.line = line;
  return node;
}

Node Node::list(int line) {
  Node node;
  node.kind = Kind::List;
  node.line = line;
  return node;
}

Node Node::map(int line) {
  Node node;
  node.kind = Kind::Map;
  node.line = line;
  return node;
}

Node Node::invalid(int line) {
  Node node;
  node.kind = Kind::Invalid;
  node.line = line;
  return node;
}

bool is_intrinsic(const Node& node) {
  if (!node.is_map() || node.entries.size() != 1) return false;
  const std::string& key = node.entries.front().key;
  return key == "Ref" || key.starts_with("Fn::");
}

std::string describe(const Node& node) {
  switch (node.kind) {
    case Node::Kind::Null:
      return "empty";
    case Node::Kind::List:
      return "a list";
    case Node::Kind::Map:
      return is_intrinsic(node) ? node.entries.front().key : "a map";
    case Node::Kind::Invalid:
      return "invalid";
    case Node::Kind::Scalar:
      break;
  }
  const nlohmann::json value = scalar_json(node);
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  if (value.is_null()) return "empty";
  return "a string";
}

nlohmann::json scalar_json(const Node& node) {
  if (node.quoted) return node.text;
  if (is_null_text(node.text)) return nullptr;
  if (auto flag = bool_text(node.text)) return *flag;
  if (auto integer = parse_integer(node.text)) return *integer;
  if (auto number = parse_float(node.text)) return *number;
  return node.text;
}

nlohmann::json to_json(const Node& node) {
  switch (node.kind) {
    case Node::Kind::Scalar:
      return scalar_json(node);
    case Node::Kind::List: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node.items) array.push_back(to_json(item));
      return array;
    }
    case Node::Kind::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node.entries) object[entry.key] = to_json(entry.value);
      return object;
    }
    case Node::Kind::Null:
    case Node::Kind::Invalid:
      break;
  }
  return nullptr;
}

std::optional<long long> to_integer(const Node& node) {
  if (!node.is_scalar()) return std::nullopt;
  std::string_view text = node.text;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return parse_integer(text);
}

std::optional<bool> to_bool(const Node& node) {
  if (!node.is_scalar()) return std::nullopt;
  return bool_text(node.text);
}

std::optional<std::string> to_text(const Node& node) {
  if (!node.is_scalar()) return std::nullopt;
  return node.text;
}

std::string stringify(const Node& node) {
  if (!node.is_scalar()) return "";
  const nlohmann::json value = scalar_json(node);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

Node at_line(Node node, int line) {
  node.line = line;
  for (Node& item : node.items) item = at_line(std::move(item), line);
  for (NodeEntry& entry : node.entries) entry.value = at_line(std::move(entry.value), line);
  return node;
}

}  // namespace lambdad::deploy
