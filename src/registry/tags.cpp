// TagResource / UntagResource: an API function's tags are its record's (CreateFunction's Tags,
// then these); a template function's are its template's Tags, SAM's `lambda:createdBy: SAM`,
// and the API's on keys the template does not declare (registry_tags, kept across redeploys).

#include <spdlog/spdlog.h>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "registry_thread.hpp"
#include "stored_db.hpp"
#include "stored_state.hpp"

namespace lambdad::registry {
namespace {

/// AWS's limit of tags on one resource.
constexpr size_t kMaxTags = 50;

TagMap declared_tags(const FunctionConfig& config) {
  TagMap tags;
  // SAM tags every function it makes so.
  tags["lambda:createdBy"] = "SAM";
  const auto it =
      config.properties.is_object() ? config.properties.find("Tags") : config.properties.end();
  if (config.properties.is_object() && it != config.properties.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      tags[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return tags;
}

std::function<bool()> write_tags_job(RegistryDb* db, FunctionRecord record, TagMap api_tags) {
  return [db, record = std::move(record), api_tags = std::move(api_tags)] {
    if (record.origin == Origin::kApi) {
      db->put(record);
    } else {
      put_api_tags(db->db(), record.config.name, api_tags);
    }
    return true;
  };
}

/// The function, unless an update of it is in progress (a write of its record then would race
/// with that update's). A Pending function may be tagged, as on AWS.
FunctionRecord& taggable(std::map<std::string, FunctionRecord>& records, const std::string& name) {
  auto it = records.find(name);
  if (it == records.end()) throw errors::function_not_found(function_arn(name));
  if (it->second.last_update_status == UpdateStatus::kInProgress) {
    throw AwsError(409, "ResourceConflictException",
                   "The operation cannot be performed at this time. An update is in progress for "
                   "resource: " +
                       function_arn(name),
                   AwsError::Key::kmessage);
  }
  return it->second;
}

AwsError too_many_tags() {
  return errors::invalid_parameter("Number of tags exceeds resource tag limit of " +
                                   std::to_string(kMaxTags) + ".");
}

}  // namespace

std::map<std::string, std::string> Registry::template_tags(const FunctionConfig& config) const {
  TagMap tags = declared_tags(config);
  if (const auto it = stored_->api_tags.find(config.name); it != stored_->api_tags.end()) {
    for (const auto& [key, value] : it->second) tags.emplace(key, value);  // the template's win
  }
  return tags;
}

boost::asio::awaitable<std::map<std::string, std::string>> Registry::tag(std::string name,
                                                                         TagMap tags) {
  FunctionRecord& current = taggable(records_, name);
  TagMap api = current.origin == Origin::kApi ? current.tags : stored_->api_tags[name];
  if (current.origin == Origin::kTemplate) {
    const TagMap declared = declared_tags(current.config);
    for (const auto& [key, value] : tags) {
      if (declared.contains(key)) {
        throw AwsError(409, "ResourceConflictException",
                       "Tag " + key + " of function " + name +
                           " is declared by the template, which owns it: change it there",
                       AwsError::Key::kmessage);
      }
    }
  }
  for (const auto& [key, value] : tags) api[key] = value;
  FunctionRecord next = current;
  next.tags = current.origin == Origin::kApi ? api : TagMap{};
  if (current.origin == Origin::kTemplate) {
    next.tags = declared_tags(current.config);
    for (const auto& [key, value] : api) next.tags.emplace(key, value);
  }
  if (next.tags.size() > kMaxTags) throw too_many_tags();
  current.last_update_status = UpdateStatus::kInProgress;
  try {
    std::function<bool()> job = write_tags_job(thread_->db.get(), next, api);
    co_await thread_->run<bool>(std::move(job));
  } catch (...) {
    settle(name);
    throw;
  }
  auto it = records_.find(name);
  if (it != records_.end()) {
    it->second.tags = next.tags;
    it->second.last_update_status = UpdateStatus::kSuccessful;
  }
  if (next.origin == Origin::kTemplate) stored_->api_tags[name] = api;
  co_return next.tags;
}

boost::asio::awaitable<std::map<std::string, std::string>> Registry::untag(
    std::string name, std::vector<std::string> keys) {
  FunctionRecord& current = taggable(records_, name);
  TagMap api = current.origin == Origin::kApi ? current.tags : stored_->api_tags[name];
  FunctionRecord next = current;
  if (current.origin == Origin::kTemplate) {
    const TagMap declared = declared_tags(current.config);
    for (const auto& key : keys) {
      if (declared.contains(key)) {
        throw AwsError(409, "ResourceConflictException",
                       "Tag " + key + " of function " + name +
                           " is declared by the template, which owns it: remove it there",
                       AwsError::Key::kmessage);
      }
    }
    for (const auto& key : keys) api.erase(key);
    next.tags = declared;
    for (const auto& [key, value] : api) next.tags.emplace(key, value);
  } else {
    for (const auto& key : keys) api.erase(key);
    next.tags = api;
  }
  current.last_update_status = UpdateStatus::kInProgress;
  try {
    std::function<bool()> job = write_tags_job(thread_->db.get(), next, api);
    co_await thread_->run<bool>(std::move(job));
  } catch (...) {
    settle(name);
    throw;
  }
  auto it = records_.find(name);
  if (it != records_.end()) {
    it->second.tags = next.tags;
    it->second.last_update_status = UpdateStatus::kSuccessful;
  }
  if (next.origin == Origin::kTemplate) {
    if (api.empty()) {
      stored_->api_tags.erase(name);
    } else {
      stored_->api_tags[name] = api;
    }
  }
  co_return next.tags;
}

}  // namespace lambdad::registry
