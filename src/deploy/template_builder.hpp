#pragma once
/// @brief Turns a parsed template into a lambdad::Template: sections, then layers, functions,
/// APIs, then the checks that span resources (names, routes, implicit APIs).

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "globals.hpp"
#include "intrinsics.hpp"
#include "lambdad/common/function_config.hpp"
#include "load_context.hpp"
#include "node.hpp"
#include "problems.hpp"

namespace lambdad::deploy {

inline constexpr std::string_view kEventsRule = "AWS::Events::Rule";
inline constexpr std::string_view kSchedulerSchedule = "AWS::Scheduler::Schedule";

/// "function 'F'", "api 'A'", "resource 'R'": who a message is about.
std::string who_for(const std::string& type, const std::string& logical_id);

class TemplateBuilder {
 public:
  TemplateBuilder(std::filesystem::path file, const std::map<std::string, std::string>& overrides,
                  Problems& problems);

  /// Where archives and InlineCode are unpacked (LoadContext::code_root).
  void set_code_root(std::filesystem::path dir) { code_root_ = std::move(dir); }

  /// Fills out; problems hold everything that is wrong.
  void build(const Node& root, Template& out);

 private:
  struct Resource {
    std::string type;
    const Node* node = nullptr;
    int line = 0;
  };

  // template_sections.cpp
  bool check_sections(const Node& root);
  void check_format_version(const Node* version);
  void check_transform(const Node* transform);
  void collect_resources(const Node* section);
  void check_resource(const std::string& logical_id, const Node& resource);
  void check_conditions(const Node* section);
  void check_mappings(const Node* section);
  std::map<std::string, Node> pseudo_parameters() const;

  // template_builder.cpp
  void make_resolver(const Node& root);
  bool is_active(const std::string& logical_id, const Resource& resource);
  /// Properties with Globals merged and intrinsics resolved.
  Node properties_of(const Resource& resource, const std::string& who);
  std::string function_name(const std::string& logical_id);
  std::string stage_name(const std::string& logical_id);
  void read_resources(Template& out);

  // resource_references.cpp: Ref / Fn::GetAtt of resources and of those SAM generates
  std::optional<ResourceValue> reference(const std::string& name, const std::string* attribute);
  std::optional<std::string> ref_value(const std::string& logical_id);
  std::optional<std::string> attribute_value(const std::string& logical_id,
                                             const std::string& attribute);
  std::optional<std::string> dotted_ref(const std::string& logical_id, const std::string& what);
  std::optional<ResourceValue> generated(const std::string& name, const std::string* attribute);
  void find_apis();
  /// A name property (QueueName, ...) resolved; nullopt when absent or not a plain string.
  std::optional<std::string> name_property(const std::string& logical_id, std::string_view key);
  /// The name property, else CloudFormation's `<stack>-<LogicalId>-<SUFFIX>`.
  std::string physical(const std::string& logical_id, std::string_view property, size_t max_length,
                       bool lower_case);
  std::string physical_name(const std::string& logical_id, size_t max_length,
                            bool lower_case) const;
  std::string arn(std::string_view service, std::string_view resource, bool regional = true) const;
  std::string function_arn_of(const std::string& logical_id);
  std::string key_id(const std::string& logical_id) const;
  std::string api_endpoint(const std::string& logical_id) const;
  void add_implicit_apis(Template& out);

  // template_schedules.cpp: Template::schedules
  void read_event_schedules(Template& out);
  /// false when the resource is no schedule lambdad runs (an EventPattern rule, no function
  /// target): the caller warns that it is not created.
  bool read_schedule_resource(const std::string& logical_id, const Resource& resource,
                              Template& out);
  void check_unique_schedules(const Template& out);
  void check_unique_names(const Template& out);
  void check_unique_routes(const Template& out);

  std::filesystem::path file_;
  std::filesystem::path code_root_;
  const std::map<std::string, std::string>& overrides_;
  Problems& problems_;
  std::map<std::string, Resource> resources_;
  std::vector<std::string> order_;  ///< logical ids in template order
  std::map<std::string, ParameterValue> parameters_;
  std::optional<Globals> globals_;
  std::optional<Resolver> resolver_;
  std::optional<LoadContext> ctx_;
  std::set<std::string> naming_;  ///< functions whose FunctionName is being resolved
  bool has_serverless_ = false;
  /// The pseudo parameters' values (overrides applied), for names and ARNs.
  std::string stack_name_, region_, account_, partition_;
  /// APIs of the template and the implicit ServerlessRestApi / ServerlessHttpApi, with types.
  std::vector<std::pair<std::string, std::string>> apis_;
};

}  // namespace lambdad::deploy
