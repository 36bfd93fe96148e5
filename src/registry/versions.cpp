// The registry's published versions and aliases (registry.hpp): PublishVersion, DeleteFunction
// of a version, and the alias operations, with their rules.

#include <spdlog/spdlog.h>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/regex.hpp"
#include "lambdad/registry/registry.hpp"
#include "registry_db.hpp"
#include "registry_thread.hpp"
#include "stored_db.hpp"

namespace lambdad::registry {
namespace {

namespace asio = boost::asio;

// The registry thread's jobs, made in plain functions (GCC 12 miscompiles a lambda's copying
// captures written inside a coroutine: registry.cpp).

/// The code a new version runs: uploaded code as kept, or a template folder zipped into the
/// store (a version must not change when the folder does).
std::function<StagedCode()> snapshot_job(const CodeStore& code, FunctionRecord latest) {
  return [&code, latest = std::move(latest)] {
    if (!latest.code_hex.empty()) {
      return StagedCode{latest.code_hex, latest.code_sha256, latest.code_size,
                        latest.config.code_dir};
    }
    return code.stage(code.zip_folder(latest.config.code_dir));
  };
}

std::function<bool()> put_version_job(RegistryDb* db, FunctionRecord version, int last) {
  return [db, version = std::move(version), last] {
    db->put_version(version, last);
    return true;
  };
}

// A deleted version or alias takes its policy, event invoke config and provisioned concurrency
// config along (as on AWS: a new alias of the same name starts without them), in the same
// transaction as its row.
std::function<bool()> remove_version_job(RegistryDb* db, std::string name, std::string version) {
  return [db, name = std::move(name), version = std::move(version)] {
    store::sqlite::Transaction transaction(db->db(), "BEGIN IMMEDIATE");
    db->remove_version(name, version);
    forget_qualifier(db->db(), name, version);
    transaction.commit();
    return true;
  };
}

std::function<bool()> put_alias_job(RegistryDb* db, AliasRecord alias) {
  return [db, alias = std::move(alias)] {
    db->put_alias(alias);
    return true;
  };
}

std::function<bool()> remove_alias_job(RegistryDb* db, std::string name, std::string alias) {
  return [db, name = std::move(name), alias = std::move(alias)] {
    store::sqlite::Transaction transaction(db->db(), "BEGIN IMMEDIATE");
    db->remove_alias(name, alias);
    forget_qualifier(db->db(), name, alias);
    transaction.commit();
    return true;
  };
}

bool is_number(const std::string& text) {
  return !text.empty() && text.size() <= 10 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// What PublishVersion compares to tell whether $LATEST changed since a version: its settings
/// (the description aside: a version has its own) and its code.
bool same_as(const FunctionRecord& version, const FunctionRecord& latest,
             const std::string& code_hex) {
  if (version.code_hex != code_hex) return false;
  FunctionRecord a = version, b = latest;
  a.config.description = b.config.description = "";
  a.tags = b.tags = {};
  return settings_json(a) == settings_json(b);
}

AwsError alias_validation(const std::string& what, const std::string& value,
                          const std::string& constraint) {
  return {400, "ValidationException",
          "1 validation error detected: Value '" + value + "' at '" + what +
              "' failed to satisfy constraint: " + constraint,
          AwsError::Key::kmessage};
}

}  // namespace

std::optional<FunctionRecord> Registry::template_version(const std::string& name) const {
  auto it = records_.find(name);
  if (it == records_.end() || it->second.origin != Origin::kTemplate ||
      !it->second.config.auto_publish_alias) {
    return std::nullopt;
  }
  FunctionRecord version = it->second;
  version.version = "1";
  return version;
}

std::optional<AliasRecord> Registry::template_alias(const std::string& name) const {
  auto it = records_.find(name);
  if (it == records_.end() || it->second.origin != Origin::kTemplate ||
      !it->second.config.auto_publish_alias) {
    return std::nullopt;
  }
  return AliasRecord{.function = name,
                     .name = *it->second.config.auto_publish_alias,
                     .function_version = "1",
                     .revision_id = it->second.revision_id,
                     .from_template = true};
}

bool Registry::has_version(const std::string& name, const std::string& version) const {
  if (!is_number(version)) return false;
  if (version == "1" && template_version(name)) return true;
  auto p = published_.find(name);
  return p != published_.end() && p->second.versions.contains(std::stoi(version));
}

std::vector<FunctionRecord> Registry::versions(const std::string& name) const {
  std::vector<FunctionRecord> list;
  auto it = records_.find(name);
  if (it == records_.end()) return list;
  list.push_back(it->second);
  if (auto auto_version = template_version(name)) list.push_back(*auto_version);
  if (auto p = published_.find(name); p != published_.end()) {
    for (const auto& [number, version] : p->second.versions) list.push_back(version);
  }
  return list;
}

std::optional<FunctionRecord> Registry::find_version(const std::string& name,
                                                     const std::string& qualifier) const {
  auto it = records_.find(name);
  if (it == records_.end()) return std::nullopt;
  if (qualifier.empty() || qualifier == "$LATEST") return it->second;
  std::string version = qualifier;
  if (auto alias = find_alias(name, qualifier)) version = alias->function_version;
  if (version == "$LATEST") return it->second;
  if (!has_version(name, version)) return std::nullopt;
  if (auto auto_version = template_version(name); auto_version && version == "1") {
    return auto_version;
  }
  return published_.at(name).versions.at(std::stoi(version));
}

std::optional<AliasRecord> Registry::find_alias(const std::string& name,
                                                const std::string& alias) const {
  if (auto t = template_alias(name); t && t->name == alias) return t;
  auto p = published_.find(name);
  if (p == published_.end() || !records_.contains(name)) return std::nullopt;
  auto it = p->second.aliases.find(alias);
  if (it == p->second.aliases.end()) return std::nullopt;
  return it->second;
}

std::vector<AliasRecord> Registry::aliases(const std::string& name) const {
  std::vector<AliasRecord> list;
  if (!records_.contains(name)) return list;
  if (auto t = template_alias(name)) list.push_back(*t);
  if (auto p = published_.find(name); p != published_.end()) {
    for (const auto& [alias, record] : p->second.aliases) list.push_back(record);
  }
  std::sort(list.begin(), list.end(),
            [](const AliasRecord& a, const AliasRecord& b) { return a.name < b.name; });
  return list;
}

Publications Registry::publications() const {
  Publications out;
  for (const auto& [name, published] : published_) {
    if (!records_.contains(name)) continue;  // a template function the template dropped
    FunctionVersions& f = out[name];
    for (const auto& [number, v] : published.versions) {
      std::string fingerprint = "code:" + v.code_hex;
      for (const auto& layer : v.config.layers) fingerprint += ";" + layer.string();
      f.versions[v.version] = {v.config, fingerprint, 0};
    }
    for (const auto& [alias, record] : published.aliases) {
      AliasRouting& routing = f.aliases[alias];
      routing.version = record.function_version;
      if (!record.weights.empty()) {
        routing.additional_version = record.weights.begin()->first;
        routing.additional_weight = record.weights.begin()->second;
      }
    }
  }
  add_provisioned(out);
  return out;
}

asio::awaitable<FunctionRecord> Registry::publish(std::string name, PublishRequest request) {
  FunctionRecord& current = writable(name, request.revision_id);
  current.last_update_status = UpdateStatus::kInProgress;  // no update starts meanwhile
  FunctionRecord version;
  try {
    version = co_await publish_now(name, std::move(request));
  } catch (...) {
    settle(name);
    throw;
  }
  settle(name);
  co_return version;
}

asio::awaitable<FunctionRecord> Registry::publish_now(std::string name, PublishRequest request) {
  const FunctionRecord latest = records_.at(name);
  if (!latest.config.missing_code.empty()) {
    throw errors::invalid_parameter("The function's code is not built yet: " +
                                    latest.config.missing_code.front().string());
  }
  std::function<StagedCode()> snapshot = snapshot_job(code_, latest);
  const StagedCode code = co_await thread_->run<StagedCode>(std::move(snapshot));
  // A function deleted while its code was zipped (after an update's Publish) publishes nothing.
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  if (request.code_sha256 && !request.code_sha256->empty() && *request.code_sha256 != code.base64) {
    throw errors::invalid_parameter("CodeSHA256 (" + *request.code_sha256 +
                                    ") is different from current CodeSHA256 in $LATEST (" +
                                    code.base64 +
                                    "). Please try again with the CodeSHA256 in $LATEST.");
  }
  Published& published = published_[name];
  if (!published.versions.empty()) {
    const FunctionRecord& last = published.versions.rbegin()->second;
    if (same_as(last, latest, code.hex)) co_return last;  // as Lambda: nothing new to publish
  }
  const int floor = template_version(name) ? 1 : 0;
  const int number = std::max(published.last_version, floor) + 1;
  FunctionRecord version = latest;
  version.version = std::to_string(number);
  version.code_hex = code.hex;
  version.code_sha256 = code.base64;
  version.code_size = code.size;
  version.config.code_dir = code.dir;
  if (request.description) version.config.description = *request.description;
  version.revision_id = new_request_id();
  version.last_modified_ms = now();
  version.state = State::kActive;
  version.last_update_status = UpdateStatus::kSuccessful;
  version.changed_by_api = false;
  std::function<bool()> put = put_version_job(thread_->db.get(), version, number);
  co_await thread_->run<bool>(std::move(put));
  Published& after = published_[name];  // the map may have changed while the row was written
  after.last_version = std::max(after.last_version, number);
  after.versions[number] = version;
  spdlog::info("function {}: published version {}", name, number);
  committed(name);
  co_return version;
}

asio::awaitable<void> Registry::remove_version(std::string name, std::string version) {
  if (!records_.contains(name) || !has_version(name, version)) {
    throw errors::function_not_found(function_arn(name, version));
  }
  if (version == "1" && template_version(name)) {
    throw conflict("Version 1 of function " + name +
                   " is published by the template's AutoPublishAlias, which owns it");
  }
  std::vector<std::string> users;
  for (const AliasRecord& alias : aliases(name)) {
    if (alias.function_version == version || alias.weights.contains(version)) {
      users.push_back(alias.name);
    }
  }
  if (!users.empty()) {
    std::string list;
    for (const auto& user : users) list += (list.empty() ? "" : ", ") + user;
    throw conflict("Unable to delete version because the following aliases reference it: [" + list +
                   "]");
  }
  std::function<bool()> job = remove_version_job(thread_->db.get(), name, version);
  co_await thread_->run<bool>(std::move(job));
  if (auto p = published_.find(name); p != published_.end()) {
    p->second.versions.erase(std::stoi(version));
  }
  forget_stored(name, version);
  committed(name);
}

void Registry::check_alias(const AliasRecord& alias) const {
  static const std::regex pattern("[a-zA-Z0-9_-]+");
  if (alias.name.empty() || alias.name.size() > 128 || !std::regex_match(alias.name, pattern) ||
      is_number(alias.name)) {
    throw alias_validation("name", alias.name,
                           "Member must satisfy regular expression pattern: "
                           "(?!^[0-9]+$)([a-zA-Z0-9-_]+) and have length between 1 and 128");
  }
  if (alias.description.size() > 256) {
    throw alias_validation("description", alias.description,
                           "Member must have length less than or equal to 256");
  }
  const std::string& primary = alias.function_version;
  if (primary != "$LATEST" && !is_number(primary)) {
    throw alias_validation("functionVersion", primary,
                           "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)");
  }
  if (primary != "$LATEST" && !has_version(alias.function, primary)) {
    throw errors::function_not_found(function_arn(alias.function, primary));
  }
  if (alias.weights.size() > 1) {
    throw alias_validation("routingConfig.additionalVersionWeights", "{…}",
                           "Member must have length less than or equal to 1");
  }
  for (const auto& [version, weight] : alias.weights) {
    if (!(weight >= 0.0 && weight <= 1.0)) {
      throw alias_validation("routingConfig.additionalVersionWeights." + version,
                             std::to_string(weight), "Member must have value between 0.0 and 1.0");
    }
    if (primary == "$LATEST") {
      throw errors::invalid_parameter(
          "$LATEST is not supported for an alias pointing to more than 1 version");
    }
    if (!is_number(version)) {
      throw alias_validation("routingConfig.additionalVersionWeights", version,
                             "Map keys must satisfy constraint: [Member must satisfy regular "
                             "expression pattern: [0-9]+]");
    }
    if (version == primary) {
      throw errors::invalid_parameter("Invalid function version " + version +
                                      ". Function version " + version +
                                      " is already included in routing configuration.");
    }
    if (!has_version(alias.function, version)) {
      throw errors::function_not_found(function_arn(alias.function, version));
    }
  }
}

asio::awaitable<AliasRecord> Registry::create_alias(AliasRecord alias) {
  if (!records_.contains(alias.function)) {
    throw errors::function_not_found(function_arn(alias.function));
  }
  check_alias(alias);
  if (find_alias(alias.function, alias.name)) {
    throw conflict("Alias already exists: " + function_arn(alias.function, alias.name));
  }
  alias.revision_id = new_request_id();
  alias.from_template = false;
  std::function<bool()> put = put_alias_job(thread_->db.get(), alias);
  co_await thread_->run<bool>(std::move(put));
  if (!records_.contains(alias.function)) {
    throw errors::function_not_found(function_arn(alias.function));  // deleted meanwhile
  }
  published_[alias.function].aliases[alias.name] = alias;
  committed(alias.function);
  co_return alias;
}

asio::awaitable<AliasRecord> Registry::update_alias(std::string name, std::string alias_name,
                                                    AliasPatch patch,
                                                    std::optional<std::string> revision_id) {
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  std::optional<AliasRecord> current = find_alias(name, alias_name);
  if (!current) throw errors::alias_not_found(function_arn(name, alias_name));
  if (current->from_template) {
    throw conflict("Alias " + alias_name + " of function " + name +
                   " is the template's AutoPublishAlias, which owns it");
  }
  if (revision_id && !revision_id->empty() && *revision_id != current->revision_id) {
    throw AwsError(412, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the "
                   "GetFunction/GetAlias API to retrieve the latest Revision Id",
                   AwsError::Key::kmessage);
  }
  AliasRecord next = *current;
  if (patch.function_version) next.function_version = *patch.function_version;
  if (patch.description) next.description = *patch.description;
  if (patch.weights) next.weights = *patch.weights;
  check_alias(next);
  check_provisioned_alias(next);
  next.revision_id = new_request_id();
  std::function<bool()> put = put_alias_job(thread_->db.get(), next);
  co_await thread_->run<bool>(std::move(put));
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  published_[name].aliases[alias_name] = next;
  committed(name);
  co_return next;
}

asio::awaitable<void> Registry::remove_alias(std::string name, std::string alias_name) {
  if (!records_.contains(name)) throw errors::function_not_found(function_arn(name));
  std::optional<AliasRecord> current = find_alias(name, alias_name);
  if (current && current->from_template) {
    throw conflict("Alias " + alias_name + " of function " + name +
                   " is the template's AutoPublishAlias, which owns it");
  }
  if (!current) throw errors::alias_not_found(function_arn(name, alias_name));
  std::function<bool()> job = remove_alias_job(thread_->db.get(), name, alias_name);
  co_await thread_->run<bool>(std::move(job));
  if (auto p = published_.find(name); p != published_.end()) p->second.aliases.erase(alias_name);
  forget_stored(name, alias_name);
  committed(name);
}

}  // namespace lambdad::registry
