#pragma once
/// @brief The payload a schedule's fire delivers to its function.

#include <string>
#include <string_view>

#include "lambdad/common/schedule_definition.hpp"
#include "lambdad/schedule/expression.hpp"

namespace lambdad::schedule {

/// - EventBridge rule (Schedule event, AWS::Events::Rule): its Input verbatim when set, else
///   the "Scheduled Event": {"version": "0", "id", "detail-type": "Scheduled Event",
///   "source": "aws.events", "account", "time" (the scheduled time, UTC), "region",
///   "resources": [rule ARN], "detail": {}}; account and region are the rule ARN's.
/// - Scheduler (ScheduleV2, AWS::Scheduler::Schedule): its Input, with the context attributes
///   <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
///   <aws.scheduler.execution-id> and <aws.scheduler.attempt-number> replaced; "{}" without
///   Input.
/// id: the event id / execution id (a UUID).
std::string scheduled_event(const ScheduleDefinition& schedule, TimePoint scheduled_time,
                            std::string_view id, int attempt = 1);

}  // namespace lambdad::schedule
