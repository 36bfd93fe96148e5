// Provisioned concurrency configs (registry.hpp): the API's, kept beside the functions
// (provisioned_db.cpp), and the template's AutoPublishAlias one, shown read-only.

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/check.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/registry/registry.hpp"
#include "registry_thread.hpp"
#include "stored_db.hpp"
#include "stored_state.hpp"

namespace lambdad::registry {
namespace {

namespace asio = boost::asio;

bool is_number(const std::string& text) {
  return !text.empty() && text.size() <= 10 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

AwsError unpublished() {
  return errors::invalid_parameter(
      "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
}

AwsError not_alias_or_version() {
  return errors::invalid_parameter(
      "The function resource provided must be an alias or a published version.");
}

AwsError template_owns(const std::string& name) {
  return conflict(
      "The provisioned concurrency of version 1 of function " + name +
      " is the template's (its AutoPublishAlias and ProvisionedConcurrencyConfig), which owns it");
}

// The registry thread's job, made in a plain function (GCC 12 miscompiles a lambda's copying
// captures written inside a coroutine: registry.cpp).
std::function<bool()> put_row_job(RegistryDb* db, std::string name, std::string qualifier,
                                  std::optional<ProvisionedConfig> config) {
  return
      [db, name = std::move(name), qualifier = std::move(qualifier), config = std::move(config)] {
        put_provisioned(db->db(), name, qualifier, config);
        return true;
      };
}

}  // namespace

std::optional<ProvisionedConfig> Registry::with_shares(ProvisionedConfig config) const {
  if (is_number(config.qualifier)) {
    if (!has_version(config.function, config.qualifier)) return std::nullopt;
    config.shares = spread(config.requested, config.qualifier);
    return config;
  }
  const std::optional<AliasRecord> alias = find_alias(config.function, config.qualifier);
  if (!alias || alias->function_version == "$LATEST") return std::nullopt;
  if (alias->weights.empty()) {
    config.shares = spread(config.requested, alias->function_version);
  } else {
    const auto& [version, weight] = *alias->weights.begin();
    config.shares = spread(config.requested, alias->function_version, version, weight);
  }
  return config;
}

std::vector<ProvisionedConfig> Registry::provisioned_configs(const std::string& name) const {
  std::vector<ProvisionedConfig> list;
  auto record = records_.find(name);
  if (record == records_.end()) return list;
  if (auto alias = template_alias(name);
      alias && record->second.config.provisioned_concurrency > 0) {
    list.push_back({.function = name,
                    .qualifier = alias->name,
                    .requested = record->second.config.provisioned_concurrency,
                    .last_modified_ms = record->second.last_modified_ms,
                    .from_template = true,
                    .shares = {{"1", record->second.config.provisioned_concurrency}}});
  }
  for (const auto& [key, config] : stored_->provisioned) {
    if (key.first != name) continue;
    if (auto shown = with_shares(config)) list.push_back(std::move(*shown));
  }
  std::sort(list.begin(), list.end(), [](const ProvisionedConfig& a, const ProvisionedConfig& b) {
    return a.qualifier < b.qualifier;
  });
  return list;
}

std::optional<ProvisionedConfig> Registry::provisioned_config(const std::string& name,
                                                              const std::string& qualifier) const {
  if (qualifier.empty() || qualifier == "$LATEST") throw not_alias_or_version();
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  if (is_number(qualifier)) {
    if (!has_version(name, qualifier)) {
      throw errors::function_not_found(function_arn(name, qualifier));
    }
  } else if (!find_alias(name, qualifier)) {
    throw AwsError(404, "ResourceNotFoundException",
                   "Cannot find alias arn: " + function_arn(name, qualifier));
  }
  for (ProvisionedConfig& config : provisioned_configs(name)) {
    if (config.qualifier == qualifier) return std::move(config);
  }
  return std::nullopt;
}

long long Registry::provisioned_total(const std::string& name) const {
  long long total = 0;
  for (const ProvisionedConfig& config : provisioned_configs(name)) total += config.requested;
  return total;
}

void Registry::check_provisioned_alias(const AliasRecord& alias, bool configured) const {
  if (!configured && !stored_->provisioned.contains({alias.function, alias.name})) return;
  if (alias.function_version == "$LATEST") throw unpublished();
  std::set<std::string> covered{alias.function_version};
  for (const auto& [version, weight] : alias.weights) covered.insert(version);
  if (covered.contains("1") && template_version(alias.function)) {
    throw template_owns(alias.function);
  }
  for (const ProvisionedConfig& other : provisioned_configs(alias.function)) {
    if (other.qualifier == alias.name) continue;
    for (const auto& [version, share] : other.shares) {
      if (covered.contains(version)) {
        throw conflict(
            "Alias can't be used for Provisioned Concurrency configuration on an already "
            "Provisioned version");
      }
    }
  }
}

asio::awaitable<ProvisionedConfig> Registry::put_provisioned(std::string name,
                                                             std::string qualifier, int requested) {
  if (qualifier.empty() || qualifier == "$LATEST") throw unpublished();
  auto record = records_.find(name);
  if (record == records_.end()) throw errors::function_not_found(function_arn(name));
  ProvisionedConfig config{
      .function = name, .qualifier = qualifier, .requested = requested, .last_modified_ms = now()};
  if (is_number(qualifier)) {
    if (!has_version(name, qualifier)) {
      throw errors::function_not_found(function_arn(name, qualifier));
    }
    if (qualifier == "1" && template_version(name)) throw template_owns(name);
    for (const ProvisionedConfig& other : provisioned_configs(name)) {
      if (other.qualifier != qualifier && other.shares.contains(qualifier)) {
        throw conflict("Version is pointed by a Provisioned Concurrency alias");
      }
    }
  } else {
    const std::optional<AliasRecord> alias = find_alias(name, qualifier);
    if (!alias) {
      throw AwsError(404, "ResourceNotFoundException",
                     "Cannot find alias arn: " + function_arn(name, qualifier));
    }
    if (alias->from_template) throw template_owns(name);
    if (alias->function_version == "$LATEST") throw unpublished();
    check_provisioned_alias(*alias, true);
  }
  // The limits, with this config's new figure in place of its old one.
  long long reserved_total = 0, unreserved_provisioned = 0;
  for (const auto& [other, other_record] : records_) {
    if (other_record.config.reserved_concurrency) {
      reserved_total += *other_record.config.reserved_concurrency;
    } else if (other != name) {
      unreserved_provisioned += provisioned_total(other);
    }
  }
  long long function_total = requested;
  for (const ProvisionedConfig& other : provisioned_configs(name)) {
    if (other.qualifier != qualifier) function_total += other.requested;
  }
  const std::optional<int> reserved = record->second.config.reserved_concurrency;
  const auto before = stored_->provisioned.find({name, qualifier});
  // A config that does not grow is never refused for the limits (as a reservation: the server may
  // have been started with a smaller limit since).
  if (before == stored_->provisioned.end() || requested > before->second.requested) {
    check_provisioned(options_.concurrency_limit,
                      static_cast<long long>(options_.concurrency_limit) - reserved_total, reserved,
                      function_total, unreserved_provisioned + function_total);
  }
  LAMBDAD_CHECK(database() != nullptr);  // open() ran
  std::function<bool()> job = put_row_job(database(), name, qualifier, config);
  co_await thread_->run<bool>(std::move(job));
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  stored_->provisioned[{name, qualifier}] = config;
  spdlog::info("function {}: provisioned concurrency of {}: {}", name, qualifier, requested);
  committed(name);
  std::optional<ProvisionedConfig> shown = with_shares(config);
  co_return shown ? *shown : config;
}

asio::awaitable<void> Registry::delete_provisioned(std::string name, std::string qualifier) {
  if (qualifier.empty() || qualifier == "$LATEST") throw not_alias_or_version();
  const std::optional<ProvisionedConfig> current = provisioned_config(name, qualifier);
  if (current && current->from_template) throw template_owns(name);
  if (!current && !stored_->provisioned.contains({name, qualifier})) co_return;
  LAMBDAD_CHECK(database() != nullptr);
  std::function<bool()> job = put_row_job(database(), name, qualifier, std::nullopt);
  co_await thread_->run<bool>(std::move(job));
  stored_->provisioned.erase({name, qualifier});
  spdlog::info("function {}: provisioned concurrency of {} deleted", name, qualifier);
  committed(name);
}

void Registry::add_provisioned(Publications& publications) const {
  for (const auto& [key, kept] : stored_->provisioned) {
    const std::optional<ProvisionedConfig> config = with_shares(kept);
    if (!config || !records_.contains(key.first)) continue;
    auto function = publications.find(key.first);
    if (function == publications.end()) continue;
    for (const auto& [version, share] : config->shares) {
      auto published = function->second.versions.find(version);
      if (published != function->second.versions.end()) published->second.provisioned += share;
    }
  }
}

}  // namespace lambdad::registry
