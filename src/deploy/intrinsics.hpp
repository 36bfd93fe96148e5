#pragma once
/// @brief Resolves CloudFormation intrinsic functions (long form; the YAML reader has already
/// rewritten the short `!Tag` form) against parameters, pseudo parameters, Conditions, Mappings
/// and the template's resources.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node.hpp"
#include "problems.hpp"

namespace lambdad::deploy {

struct ParameterValue {
  std::string type;            ///< String, Number, CommaDelimitedList, ...
  std::optional<Node> value;   ///< a scalar, or a list for list types; nullopt: none given
  std::string missing_reason;  ///< why value is nullopt, for the error at the place of use
  int line = 0;
};

struct ResourceValue {
  std::optional<std::string> value;
  std::string logical_id;  ///< the template's resource, when the name is one (for Node::ref)
};

struct ResolverInputs {
  std::map<std::string, ParameterValue> parameters;
  std::map<std::string, Node> pseudo;                 ///< AWS::Region, ... (not AWS::NoValue)
  std::map<std::string, std::string> resource_types;  ///< logical id -> Type
  const Node* conditions = nullptr;                   ///< the Conditions section
  const Node* mappings = nullptr;                     ///< the Mappings section
  /// `Ref: name` (attribute null) or `Fn::GetAtt: [name, attribute]` of a resource of the
  /// template or of one SAM generates from it (MyFunctionRole, ServerlessRestApi, ...).
  /// nullopt: no resource of that name. A ResourceValue without a value: lambdad cannot know it.
  std::function<std::optional<ResourceValue>(const std::string& name, const std::string* attribute)>
      reference;
};

class Resolver {
 public:
  Resolver(ResolverInputs inputs, Problems& problems);

  /// Resolves every intrinsic inside node. nullopt means AWS::NoValue: the caller drops the key
  /// or list item. Errors are reported with `who` ("function 'Hello'") and give an Invalid node.
  std::optional<Node> resolve(const Node& node, const std::string& who);

  /// The value of a named condition; nullopt (already reported) when it cannot be evaluated.
  std::optional<bool> condition(const std::string& name, int line, const std::string& who);
  bool has_condition(const std::string& name) const;

  const ResolverInputs& inputs() const { return inputs_; }

  /// The parameters without a value (no Default, no override) an unresolved value depends on.
  std::vector<std::string> missing_parameters(const Node& node) const;
  /// "uses parameter 'X', which has no Default ...: give it one with --parameter-overrides
  /// X=VALUE", or "uses Fn::GetAtt, which lambdad cannot resolve locally".
  std::string unresolved_reason(const Node& node) const;

 private:
  using Handler = std::optional<Node> (Resolver::*)(const Node& arg, int line);

  std::optional<Node> resolve_any(const Node& node);
  std::optional<Node> resolve_map(const Node& node);
  std::optional<Node> resolve_list(const Node& node);
  std::optional<Node> resolve_intrinsic(const Node& node);
  /// Resolves an argument that must be present (AWS::NoValue is an error there).
  Node resolve_value(const Node& node, std::string_view function);
  Node fail(int line, const std::string& message);
  static Node unresolved(const std::string& function, Node arg, int line);
  static Handler handler_for(const std::string& function);

  // intrinsics.cpp: names
  std::optional<Node> fn_ref(const Node& arg, int line);
  std::optional<Node> fn_sub(const Node& arg, int line);
  std::optional<Node> fn_get_att(const Node& arg, int line);
  std::optional<Node> fn_import_value(const Node& arg, int line);
  std::optional<Node> fn_get_azs(const Node& arg, int line);
  std::optional<Node> fn_cidr(const Node& arg, int line);
  std::optional<Node> fn_transform(const Node& arg, int line);
  std::optional<ResourceValue> attribute_of(const std::string& resource,
                                            const std::string& attribute);
  std::optional<Node> keep_unresolved(const std::string& function, const Node& arg, int line);
  /// A parameter, pseudo parameter or resource; nullopt when there is none of that name.
  std::optional<Node> lookup_name(const std::string& name, int line);
  /// One `${...}` of Fn::Sub; nullopt on an error (reported).
  std::optional<std::string> sub_variable(const std::string& name, int line, const Node& variables,
                                          bool& unresolvable);
  std::optional<std::string> substitute(const std::string& text, int line, const Node& variables,
                                        bool& unresolvable);

  // intrinsics_lists.cpp: values
  std::optional<Node> fn_join(const Node& arg, int line);
  std::optional<Node> fn_select(const Node& arg, int line);
  std::optional<Node> fn_split(const Node& arg, int line);
  std::optional<Node> fn_find_in_map(const Node& arg, int line);
  std::optional<Node> fn_base64(const Node& arg, int line);
  std::optional<Node> fn_length(const Node& arg, int line);
  std::optional<Node> fn_to_json_string(const Node& arg, int line);
  /// arg as a list of min..max items, else nullptr (reported).
  const Node* arguments(const Node& arg, int line, std::string_view function, size_t min,
                        size_t max);
  /// A resolved scalar's text; nullopt when invalid (reported) or unresolved (flag set).
  std::optional<std::string> text_argument(const Node& node, std::string_view function,
                                           bool& unresolvable);

  // conditions.cpp
  std::optional<Node> fn_if(const Node& arg, int line);
  std::optional<Node> fn_equals(const Node& arg, int line);
  std::optional<Node> fn_not(const Node& arg, int line);
  std::optional<Node> fn_and(const Node& arg, int line);
  std::optional<Node> fn_or(const Node& arg, int line);
  std::optional<Node> condition_as_value(const std::string& function, const Node& arg, int line);
  std::optional<bool> evaluate(const Node& expression);
  std::optional<bool> evaluate_function(const std::string& function, const Node& arg, int line);
  std::optional<bool> evaluate_equals(const Node& arg, int line);
  std::optional<std::vector<bool>> evaluate_operands(const Node& arg, int line,
                                                     std::string_view function, size_t min,
                                                     size_t max);

  void collect_missing(const Node& node, std::vector<std::string>& out) const;

  ResolverInputs inputs_;
  Problems& problems_;
  std::string who_;
  std::map<std::string, bool> condition_values_;
  std::set<std::string> conditions_in_progress_;
};

}  // namespace lambdad::deploy
