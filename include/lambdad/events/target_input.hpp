#pragma once
/// @brief What an EventBridge rule's target receives: the matched event (the default), a constant
/// `Input`, the part of the event an `InputPath` selects, or an `InputTransformer`'s template
/// filled from the event. Checked once, when the target is put (PutTargets,
/// `AWS::Events::Rule.Targets`, SAM's `EventBridgeRule` / `Schedule` events), with
/// PutTargets' error: 400 `ValidationException`.
///
/// JSONPath: the subset AWS accepts in `InputPath` and `InputPathsMap`: `$`, `$.a.b`, `$.a[0]`,
/// `$['a b']`.
///
/// Templates follow AWS's quoting rules: a `<name>` outside a JSON string is replaced by the
/// value as JSON (a missing path by `null`); inside a string by the value's raw text (strings
/// unquoted and, as on AWS, unescaped; a missing path by nothing: AWS documents only that such a
/// variable "is not created", `null` / nothing are lambdad's choice). A template that is not JSON
/// (plain text) is filled with raw values and delivered as text. Predefined names:
/// `<aws.events.event>` (the event without `detail`) and `<aws.events.event.json>` (the whole
/// event), both inserted as JSON wherever they stand (AWS does not escape them, so they belong
/// where a JSON value goes), `<aws.events.rule-arn>`, `<aws.events.rule-name>`,
/// `<aws.events.event.ingestion-time>`.
///
/// Immutable after construction; render() may run on any number of threads at once.

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lambdad::events {

/// Where the event came from, for the predefined template names.
struct TargetContext {
  std::string rule_arn;
  std::string rule_name;
  std::string ingestion_time;  ///< ISO 8601, e.g. 2026-12-07T17:00:00Z
};

class TargetInput {
 public:
  enum class Kind { kEvent, kConstant, kPath, kTransformer };

  /// The whole event (a target without Input, InputPath or InputTransformer).
  TargetInput();

  /// Reads a PutTargets `Target` (or `AWS::Events::Rule` target) object: its `Input`,
  /// `InputPath` and `InputTransformer`, at most one of them. `target_id` names the target in
  /// errors. Throws lambdad::AwsError 400 `ValidationException`.
  static TargetInput from_target(const nlohmann::json& target);

  /// `Input`: JSON text, at most 8192 characters.
  static TargetInput constant(std::string_view target_id, std::string_view input);
  /// `InputPath`: a JSONPath, at most 256 characters.
  static TargetInput path(std::string_view target_id, std::string_view input_path);
  /// `InputTransformer`: `InputPathsMap` (at most 100 names of `[A-Za-z0-9_-]`, none of the
  /// predefined names, each a JSONPath) and `InputTemplate` (at most 8192 characters, every
  /// placeholder defined, valid JSON once filled when it is JSON).
  static TargetInput transformer(std::string_view target_id, const nlohmann::json& input_paths_map,
                                 std::string_view input_template);

  Kind kind() const;

  /// The payload the target receives for `event`: JSON text, or plain text from a plain-text
  /// template. An InputPath that selects nothing gives no payload (an empty string), as on AWS,
  /// where the target is invoked with an empty input.
  std::string render(const nlohmann::json& event, const TargetContext& context) const;

  struct Compiled;

 private:
  explicit TargetInput(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace lambdad::events
