#pragma once
/// @brief The template as a tree of values that remember their line (internal to deploy/).
/// yaml-cpp nodes are reference-counted views that cannot be merged or rewritten cheaply, and
/// Globals merging plus intrinsic resolution both build new trees; this is that tree.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lambdad::deploy {

struct NodeEntry;

struct Node {
  enum class Kind { Null, Scalar, List, Map, Invalid };

  Kind kind = Kind::Null;
  std::string text;  ///< Scalar only
  /// A quoted (or !!str) scalar is always a string; a plain one may be a number, bool or null.
  bool quoted = false;
  std::vector<Node> items;         ///< List only
  std::vector<NodeEntry> entries;  ///< Map only, in template order
  int line = 0;                    ///< 1-based; a map entry's value carries its key's line
  /// An intrinsic lambdad cannot evaluate locally (Fn::GetAtt, Fn::ImportValue, ...), kept as
  /// its long-form map so that it can be shown as JSON.
  bool unresolved = false;
  std::string ref;  ///< logical id, when the value came from a Ref to a resource

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_list() const { return kind == Kind::List; }
  bool is_map() const { return kind == Kind::Map; }
  bool is_invalid() const { return kind == Kind::Invalid; }

  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  void set(std::string key, Node value);
  void erase(std::string_view key);

  static Node scalar(std::string text, int line, bool quoted = true);
  static Node list(int line);
  static Node map(int line);
  static Node invalid(int line);
};

struct NodeEntry {
  std::string key;
  Node value;
};

/// A map with one key, `Ref` or `Fn::*`: CloudFormation's long form of an intrinsic function.
bool is_intrinsic(const Node& node);

/// "a map", "a list", "a string", ... for messages.
std::string describe(const Node& node);

/// `node` with `line` on every part of it: a value taken from elsewhere (a parameter, a mapping,
/// an included file) reports its problems where it is used.
Node at_line(Node node, int line);

/// YAML 1.2 core-schema typing of a scalar: null, bool, integer, float or string.
nlohmann::json scalar_json(const Node& node);
nlohmann::json to_json(const Node& node);

/// A whole number, from a plain or quoted scalar (CloudFormation accepts "128" for an Integer).
std::optional<long long> to_integer(const Node& node);
/// true/false in any case, plain or quoted.
std::optional<bool> to_bool(const Node& node);
/// The text of any scalar.
std::optional<std::string> to_text(const Node& node);
/// An environment variable value as CloudFormation stores it: numbers normalised (1.50 -> 1.5),
/// booleans lower-case, null empty.
std::string stringify(const Node& node);

}  // namespace lambdad::deploy
