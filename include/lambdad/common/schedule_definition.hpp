#pragma once
/// @brief One schedule of a template, as deploy reads it and the schedule module runs it: a SAM
/// `Schedule` / `ScheduleV2` event, an `AWS::Events::Rule` or an `AWS::Scheduler::Schedule`
/// whose target is a function of the template. Lives in common because lambdad::Template holds
/// them; the schedule module (expression.hpp, runner.hpp) gives them their times.

#include <chrono>
#include <optional>
#include <string>

namespace lambdad {

struct ScheduleDefinition {
  /// The rule / schedule name AWS would have: `Name` when set, else CloudFormation's
  /// `<StackName>-<LogicalId>-<SUFFIX>` (LogicalId is `<Function><EventId>` for SAM events).
  std::string name;
  /// arn:aws:events:REGION:ACCOUNT:rule/NAME, or
  /// arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME for Scheduler (V2) schedules.
  /// Unique in a template: the key of the schedule's state (last fire) across restarts.
  std::string arn;
  /// An EventBridge Scheduler schedule (ScheduleV2, AWS::Scheduler::Schedule): timezones,
  /// StartDate / EndDate and at(); its fire delivers Input alone, not a "Scheduled Event".
  bool scheduler = false;
  std::string group = "default";  ///< Scheduler only: GroupName
  std::string function;           ///< the target's FunctionConfig::name
  std::string qualifier;          ///< the target's alias or version; empty for $LATEST
  std::string expression;         ///< rate(...), cron(...) or at(...), as written
  std::string timezone = "UTC";   ///< IANA name; always UTC for EventBridge rules
  std::optional<std::chrono::sys_seconds> start_date;  ///< Scheduler: no fire before it
  std::optional<std::chrono::sys_seconds> end_date;    ///< Scheduler: no fire at or after it
  bool enabled = true;                                 ///< `Enabled: false` / `State: DISABLED`
  /// The event's payload as written (a JSON document, or for Scheduler templates with context
  /// attributes such as <aws.scheduler.scheduled-time>); nullopt: the default event.
  std::optional<std::string> input;
  std::string description;
  /// RetryPolicy, with AWS's defaults (185 attempts, 86400 seconds) when not given.
  int maximum_retry_attempts = 185;
  int maximum_event_age_s = 86400;
  std::string dead_letter_arn;  ///< DeadLetterConfig.Arn; empty when none
  /// Where it comes from, for messages: "function 'F': event 'Nightly'" / "resource 'Rule'".
  std::string source;
  int line = 0;  ///< 1-based line in the template

  bool operator==(const ScheduleDefinition&) const = default;
};

}  // namespace lambdad
