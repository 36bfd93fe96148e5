// FunctionEventInvokeConfig per (function, qualifier), in registry_event_invoke_configs. The
// scheduler asks for them at each Event invoke (server.cpp hands it event_invoke_config()), so
// a change takes effect on the next event without touching the function's workers.

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "registry_thread.hpp"
#include "stored_db.hpp"
#include "stored_state.hpp"

namespace lambdad::registry {
namespace {

std::string config_key(const std::string& qualifier) {
  return qualifier.empty() ? "$LATEST" : qualifier;
}

std::function<bool()> put_config_job(RegistryDb* db, std::string name, std::string qualifier,
                                     std::optional<EventInvokeConfig> config) {
  return
      [db, name = std::move(name), qualifier = std::move(qualifier), config = std::move(config)] {
        put_event_invoke_config(db->db(), name, qualifier, config);
        return true;
      };
}

AwsError no_config(const std::string& name, const std::string& qualifier) {
  return {404, "ResourceNotFoundException",
          "The function " + function_arn(name, qualifier) + " doesn't have an EventInvokeConfig"};
}

}  // namespace

std::optional<EventInvokeConfig> Registry::event_invoke_config(const std::string& name,
                                                               const std::string& qualifier) const {
  const std::string key = config_key(qualifier);
  if (const FunctionRecord* record = find(name); record && record->origin == Origin::kTemplate &&
                                                 !record->config.event_invoke_config.is_null()) {
    const std::string declared = record->config.auto_publish_alias.value_or("$LATEST");
    if (declared == key) {
      EventInvokeConfig config = read_event_invoke_config(record->config.event_invoke_config);
      config.from_template = true;
      config.last_modified_ms = record->last_modified_ms;
      return config;
    }
  }
  const auto it = stored_->event_invoke_configs.find({name, key});
  if (it == stored_->event_invoke_configs.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, EventInvokeConfig>> Registry::event_invoke_configs(
    const std::string& name) const {
  std::map<std::string, EventInvokeConfig> configs;
  for (const auto& [key, config] : stored_->event_invoke_configs) {
    if (key.first == name) configs[key.second] = config;
  }
  if (const FunctionRecord* record = find(name); record && record->origin == Origin::kTemplate &&
                                                 !record->config.event_invoke_config.is_null()) {
    const std::string declared = record->config.auto_publish_alias.value_or("$LATEST");
    configs[declared] = *event_invoke_config(name, declared);
  }
  return {configs.begin(), configs.end()};
}

boost::asio::awaitable<EventInvokeConfig> Registry::put_event_invoke_config(
    std::string name, std::string qualifier, EventInvokeConfig config, bool merge) {
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  qualifier = config_key(qualifier);
  const std::optional<EventInvokeConfig> before = event_invoke_config(name, qualifier);
  if (before && before->from_template) {
    throw AwsError(409, "ResourceConflictException",
                   "The EventInvokeConfig of " + function_arn(name, qualifier) +
                       " is declared by the template, which owns it: change it there",
                   AwsError::Key::kmessage);
  }
  EventInvokeConfig next = config;
  if (merge) {
    if (!before) throw no_config(name, qualifier);
    next = *before;
    if (config.maximum_retry_attempts) next.maximum_retry_attempts = config.maximum_retry_attempts;
    if (config.maximum_event_age_s) next.maximum_event_age_s = config.maximum_event_age_s;
    if (config.on_success) next.on_success = config.on_success;
    if (config.on_failure) next.on_failure = config.on_failure;
  }
  // An empty destination ARN removes it, as on AWS.
  if (next.on_success && next.on_success->empty()) next.on_success.reset();
  if (next.on_failure && next.on_failure->empty()) next.on_failure.reset();
  next.from_template = false;
  next.last_modified_ms = now();
  stored_->event_invoke_configs[{name, qualifier}] = next;
  try {
    std::function<bool()> job = put_config_job(thread_->db.get(), name, qualifier, next);
    co_await thread_->run<bool>(std::move(job));
  } catch (...) {
    if (before) {
      stored_->event_invoke_configs[{name, qualifier}] = *before;
    } else {
      stored_->event_invoke_configs.erase({name, qualifier});
    }
    throw;
  }
  co_return next;
}

boost::asio::awaitable<void> Registry::delete_event_invoke_config(std::string name,
                                                                  std::string qualifier) {
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  qualifier = config_key(qualifier);
  const std::optional<EventInvokeConfig> before = event_invoke_config(name, qualifier);
  if (!before) throw no_config(name, qualifier);
  if (before->from_template) {
    throw AwsError(409, "ResourceConflictException",
                   "The EventInvokeConfig of " + function_arn(name, qualifier) +
                       " is declared by the template, which owns it: remove it there",
                   AwsError::Key::kmessage);
  }
  stored_->event_invoke_configs.erase({name, qualifier});
  try {
    std::function<bool()> job = put_config_job(thread_->db.get(), name, qualifier, std::nullopt);
    co_await thread_->run<bool>(std::move(job));
  } catch (...) {
    stored_->event_invoke_configs[{name, qualifier}] = *before;
    throw;
  }
}

}  // namespace lambdad::registry
