// Template::schedules: the Schedule / ScheduleV2 events of functions (named as the
// AWS::Events::Rule / AWS::Scheduler::Schedule SAM generates for them) and the rule and
// schedule resources whose target is a function of this template.
#include <algorithm>
#include <set>

#include "lambdad/deploy/schedule_expression.hpp"
#include "schedules.hpp"
#include "template_builder.hpp"

namespace lambdad::deploy {

namespace {

constexpr size_t kMaxNameLength = 64;  // rule and schedule names: 1-64 characters

std::string text_of(const nlohmann::json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

/// function[:qualifier] of a Lambda function ARN; nullopt for any other ARN.
std::optional<std::pair<std::string, std::string>> lambda_target(std::string_view arn) {
  constexpr std::string_view kMarker = ":lambda:";
  const size_t lambda = arn.find(kMarker);
  const size_t function = arn.find(":function:");
  if (!arn.starts_with("arn:") || lambda == std::string_view::npos ||
      function == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = arn.substr(function + 10);
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return std::pair{std::string(rest), std::string()};
  return std::pair{std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
}

}  // namespace

void TemplateBuilder::read_event_schedules(Template& out) {
  for (const FunctionConfig& function : out.functions) {
    for (const EventSource& event : function.events) {
      if (event.type != "Schedule" && event.type != "ScheduleV2") continue;
      const bool v2 = event.type == "ScheduleV2";
      const nlohmann::json& properties = event.properties;
      // SAM's generated resource: <Function><EventId>.
      const std::string logical_id = function.logical_id + event.name;
      ScheduleDefinition schedule{
          .scheduler = v2,
          .function = function.name,
          .qualifier = function.auto_publish_alias.value_or(""),
          .source = "function '" + function.logical_id + "': event '" + event.name + "'",
          .line = event.line};
      schedule.name = text_of(properties, "Name");
      if (schedule.name.empty()) {
        // SAM names a ScheduleV2's schedule after its logical id unless OmitName is true;
        // a Schedule's rule gets CloudFormation's generated name.
        const auto omit = properties.find("OmitName");
        const bool omit_name =
            omit != properties.end() && (omit->is_boolean() ? omit->get<bool>() : *omit == "true");
        schedule.name =
            v2 && !omit_name ? logical_id : physical_name(logical_id, kMaxNameLength, false);
      }
      if (v2) {
        if (auto group = text_of(properties, "GroupName"); !group.empty()) schedule.group = group;
        schedule.arn = arn("scheduler", "schedule/" + schedule.group + "/" + schedule.name);
      } else {
        schedule.arn = arn("events", "rule/" + schedule.name);
      }
      read_schedule_json(properties, properties, schedule);
      if (auto dead = properties.find("DeadLetterConfig");
          schedule.dead_letter_arn.empty() && dead != properties.end() && dead->is_object() &&
          text_of(*dead, "Type") == "SQS") {
        // SAM creates the queue: QueueLogicalId, else <Function><EventId>Queue.
        std::string queue = text_of(*dead, "QueueLogicalId");
        if (queue.empty()) queue = logical_id + "Queue";
        schedule.dead_letter_arn = arn("sqs", physical_name(queue, 80, false));
      }
      out.schedules.push_back(std::move(schedule));
    }
  }
}

bool TemplateBuilder::read_schedule_resource(const std::string& logical_id,
                                             const Resource& resource, Template& out) {
  const std::string who = who_for(resource.type, logical_id);
  const bool scheduler = resource.type == kSchedulerSchedule;
  const Node properties = properties_of(resource, who);
  const Node* expression = properties.find("ScheduleExpression");
  if (!expression) return false;  // an EventPattern rule
  std::vector<const Node*> targets;
  if (const Node* target = properties.find(scheduler ? "Target" : "Targets")) {
    if (scheduler && target->is_map()) targets.push_back(target);
    if (!scheduler && target->is_list()) {
      for (const Node& item : target->items) targets.push_back(&item);
    }
  }
  // Only targets that are functions of this template are run; a schedule with none is a
  // resource lambdad does not create, as before.
  std::vector<std::pair<const Node*, std::pair<std::string, std::string>>> functions;
  std::vector<const Node*> others;  // warned about when the rule has a function target
  for (const Node* target : targets) {
    const Node* arn_node = target->is_map() ? target->find("Arn") : nullptr;
    if (!arn_node || !arn_node->is_scalar() || arn_node->unresolved) continue;
    auto function = lambda_target(arn_node->text);
    const bool known =
        function && std::any_of(out.functions.begin(), out.functions.end(),
                                [&](const auto& f) { return f.name == function->first; });
    if (known) {
      functions.emplace_back(target, *function);
    } else {
      others.push_back(arn_node);
    }
  }
  if (functions.empty()) return false;
  for (const Node* other : others) {
    ctx_->warning(other->line, who,
                  "target '" + other->text +
                      "' is not a function of this template; lambdad does not fire it");
  }
  if (!expression->is_scalar() || expression->unresolved) {
    ctx_->error(expression->line, who, "ScheduleExpression must be a string");
    return true;
  }
  if (auto problem = check_schedule_expression(expression->text, scheduler); !problem.empty()) {
    ctx_->error(expression->line, who, "ScheduleExpression '" + expression->text + "': " + problem);
    return true;
  }
  bool ok = !scheduler || check_schedule_dates(properties, who, *ctx_);
  if (const Node* state = properties.find("State");
      state && state->is_scalar() && state->text != "ENABLED" && state->text != "DISABLED" &&
      !state->text.starts_with("ENABLED_")) {
    ctx_->error(state->line, who, "State must be ENABLED or DISABLED");
    ok = false;
  }
  for (const auto& [target, function] : functions) {
    ok = check_schedule_settings(*target, who, *ctx_) && ok;
  }
  if (!ok) return true;
  const nlohmann::json json = to_json(properties);
  for (const auto& [target, function] : functions) {
    ScheduleDefinition schedule{.scheduler = scheduler,
                                .function = function.first,
                                .qualifier = function.second,
                                .source = who,
                                .line = resource.line};
    schedule.name = physical(logical_id, "Name", kMaxNameLength, false);
    if (scheduler) {
      if (auto group = text_of(json, "GroupName"); !group.empty()) schedule.group = group;
      schedule.arn = arn("scheduler", "schedule/" + schedule.group + "/" + schedule.name);
    } else {
      schedule.arn = arn("events", "rule/" + schedule.name);
    }
    read_schedule_json(json, to_json(*target), schedule);
    out.schedules.push_back(std::move(schedule));
  }
  return true;
}

void TemplateBuilder::check_unique_schedules(const Template& out) {
  // AWS refuses a second rule or schedule of the same name (per group): the stack would fail.
  // A rule with several function targets gives one definition per target, with one ARN.
  std::set<std::string> seen;
  for (size_t i = 0; i < out.schedules.size(); ++i) {
    const ScheduleDefinition& schedule = out.schedules[i];
    const bool same_resource = i > 0 && out.schedules[i - 1].arn == schedule.arn &&
                               out.schedules[i - 1].source == schedule.source;
    if (!seen.insert(schedule.arn).second && !same_resource) {
      problems_.error(schedule.line, schedule.source + ": the name '" + schedule.name +
                                         "' is already used by another " +
                                         (schedule.scheduler ? "schedule" : "rule"));
    }
  }
}

}  // namespace lambdad::deploy
