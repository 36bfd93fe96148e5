#pragma once
/// @brief The settings schedules share, whether a function's Schedule / ScheduleV2 event or an
/// AWS::Events::Rule / AWS::Scheduler::Schedule resource: checked on the template's nodes (with
/// their lines), then read from the resolved JSON into a ScheduleDefinition.

#include <string>

#include <nlohmann/json.hpp>

#include "lambdad/common/schedule_definition.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

/// RetryPolicy (MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86400) and
/// DeadLetterConfig (a map) of `settings` (the event's properties, or a resource's target).
bool check_schedule_settings(const Node& settings, const std::string& who, LoadContext& ctx);

/// Scheduler only: ScheduleExpressionTimezone (an IANA name), StartDate and EndDate (ISO 8601,
/// EndDate after StartDate).
bool check_schedule_dates(const Node& properties, const std::string& who, LoadContext& ctx);

/// Fills expression, timezone, dates, enabled, description from `properties` (resolved and
/// checked) and input, retry policy, dead-letter ARN from `target` (the same JSON for events).
void read_schedule_json(const nlohmann::json& properties, const nlohmann::json& target,
                        ScheduleDefinition& out);

}  // namespace lambdad::deploy
