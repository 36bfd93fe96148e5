#include "lambdad/registry/registry.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/regex.hpp"
#include "lambdad/deploy/code_archive.hpp"
#include "registry_db.hpp"
#include "registry_thread.hpp"
#include "stored_state.hpp"

namespace lambdad::registry {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

// The registry thread's jobs are made here, in plain functions: GCC 12 miscompiles a lambda's
// copying captures written inside a coroutine (the copy shares the original's memory, which is
// then freed twice), so no coroutine below builds a capturing lambda.
using Check = std::function<void(const FunctionConfig&)>;

std::function<StagedCode()> stage_job(const CodeStore& code, Check check, std::string zip,
                                      FunctionConfig config) {
  return [&code, check = std::move(check), zip = std::move(zip), config = std::move(config)] {
    if (check) check(config);
    return code.stage(zip);
  };
}

std::function<StagedCode()> check_job(const CodeStore& code, std::string zip) {
  return [&code, zip = std::move(zip)] { return code.check(zip); };
}

std::function<bool()> put_job(RegistryDb* db, FunctionRecord record, Check check) {
  return [db, record = std::move(record), check = std::move(check)] {
    if (check) check(record.config);
    if (record.origin == Origin::kApi) db->put(record);
    return true;
  };
}

/// A new function's row; rows of versions and aliases an earlier function of the name left
/// (a template function the template dropped) go first.
std::function<bool()> create_job(RegistryDb* db, FunctionRecord record) {
  return [db, record = std::move(record)] {
    db->remove(record.config.name);
    db->put(record);
    return true;
  };
}

std::function<bool()> remove_job(RegistryDb* db, std::string name) {
  return [db, name = std::move(name)] {
    db->remove(name);
    return true;
  };
}

std::function<bool()> void_job(std::function<void()> job) {
  return [job = std::move(job)] {
    job();
    return true;
  };
}

}  // namespace

Registry::Registry(asio::any_io_executor io, RegistryOptions options)
    : io_(std::move(io)),
      options_(std::move(options)),
      code_(options_.state_dir / "code"),
      thread_(std::make_unique<Thread>()),
      stored_(std::make_unique<Stored>()) {}

Registry::~Registry() = default;

long long Registry::now() const {
  return options_.now_ms ? options_.now_ms() : epoch_ms();
}

void Registry::open(const std::vector<FunctionConfig>& template_functions,
                    const std::map<std::string, std::string>& fingerprints) {
  // At start, before the io thread serves anything: the disk work runs here, once.
  thread_->db = std::make_unique<RegistryDb>(options_.state_dir / "lambdad.db");
  open_stored();
  load_concurrency();
  size_t loaded = 0;
  for (FunctionRecord& record : thread_->db->load(options_.state_dir / "code")) {
    std::error_code ec;
    if (!fs::is_directory(record.config.code_dir, ec)) {
      // The folder went (cleaned by hand): unzip the kept upload again.
      try {
        record.config.code_dir =
            deploy::unpack_archive(code_.zip_file(record.code_hex), options_.state_dir / "code");
      } catch (const deploy::ArchiveError& e) {
        spdlog::warn("function {} (made through the Lambda API): its code is gone: {}",
                     record.config.name, e.what());
      }
    }
    records_[record.config.name] = std::move(record);
    ++loaded;
  }
  RegistryDb::Published published = thread_->db->load_published(options_.state_dir / "code");
  for (FunctionRecord& version : published.versions) {
    Published& p = published_[version.config.name];
    const int number = std::stoi(version.version);
    p.last_version = std::max(p.last_version, number);
    p.versions[number] = std::move(version);
  }
  for (AliasRecord& alias : published.aliases) {
    published_[alias.function].aliases[alias.name] = std::move(alias);
  }
  for (const auto& [name, last] : published.last_version) {
    published_[name].last_version = std::max(published_[name].last_version, last);
  }
  set_template(template_functions, fingerprints);
  std::set<std::string> used;
  std::set<fs::path> keep;  // and a deleted layer version's code while a function uses it
  for (const auto& [name, record] : records_) {
    if (!record.code_hex.empty()) used.insert(record.code_hex);
    for (const auto& layer : record.config.layers) {
      if (code_.holds(layer)) used.insert(layer.filename().string());
    }
  }
  for (const auto& [name, versions] : stored_->layers) {
    for (const auto& [version, layer] : versions) used.insert(layer.code_hex);
  }
  for (const auto& [name, p] : published_) {
    for (const auto& [number, version] : p.versions) used.insert(version.code_hex);
  }
  for (const auto& f : template_functions) {
    keep.insert(f.code_dir);
    keep.insert(f.layers.begin(), f.layers.end());
  }
  std::error_code ec;
  if (fs::is_directory(options_.state_dir / "code", ec)) {
    if (size_t removed = code_.sweep(used, keep)) {
      spdlog::info("removed {} code upload(s) no function uses from {}", removed,
                   (options_.state_dir / "code").string());
    }
  }
  if (loaded) spdlog::info("{} function(s) made through the Lambda API", loaded);
}

void Registry::set_template(const std::vector<FunctionConfig>& functions,
                            const std::map<std::string, std::string>& fingerprints) {
  std::map<std::string, FunctionRecord> next;
  for (auto& [name, record] : records_) {
    if (record.origin == Origin::kApi) next.emplace(name, std::move(record));
  }
  std::map<std::string, std::string> next_fingerprints;
  for (const FunctionConfig& config : functions) {
    const auto fp = fingerprints.find(config.name);
    const std::string fingerprint = fp == fingerprints.end() ? "" : fp->second;
    next_fingerprints[config.name] = fingerprint;
    FunctionRecord record;
    record.config = config;
    record.origin = Origin::kTemplate;
    const auto old = records_.find(config.name);
    const auto old_fp = fingerprints_.find(config.name);
    bool same = false;
    if (old == records_.end()) {
    } else if (old->second.origin == Origin::kApi) {
      spdlog::warn(
          "function {}: the template now declares it, and the template owns what it declares: "
          "its definition replaces the function made through the Lambda API",
          config.name);
      next.erase(config.name);
      published_.erase(config.name);  // the API function's versions and aliases go with it
      if (thread_->db) {
        thread_->post_remove(config.name);
        forget_stored(config.name);  // its policies and configs were the API function's
      }
      forget_concurrency(config.name);
    } else if (old->second.changed_by_api) {
      spdlog::warn(
          "function {}: the template's redeploy overwrites the changes made to it through the "
          "Lambda API",
          config.name);
    } else {
      same = same_apart_from_reservation(old->second.config, config) &&
             old_fp != fingerprints_.end() && old_fp->second == fingerprint;
    }
    if (same) {
      record.revision_id = old->second.revision_id;
      record.last_modified_ms = old->second.last_modified_ms;
      record.tags = old->second.tags;
    } else {
      record.revision_id = new_request_id();
      record.last_modified_ms = now();
    }
    record.tags = template_tags(config);
    next[config.name] = std::move(record);
  }
  records_ = std::move(next);
  fingerprints_ = std::move(next_fingerprints);
  merge_concurrency();
}

std::vector<FunctionConfig> Registry::functions() const {
  std::vector<FunctionConfig> list;
  list.reserve(records_.size());
  for (const auto& [name, record] : records_) list.push_back(record.config);
  return list;
}

const FunctionRecord* Registry::find(const std::string& name) const {
  auto it = records_.find(name);
  return it == records_.end() ? nullptr : &it->second;
}

std::vector<FunctionRecord> Registry::list() const {
  std::vector<FunctionRecord> list;
  list.reserve(records_.size());
  for (const auto& [name, record] : records_) list.push_back(record);
  return list;
}

std::vector<fs::path> Registry::resolve_layers(const std::vector<std::string>& arns) const {
  static const std::regex pattern(
      R"(arn:[a-zA-Z0-9-]+:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:([a-zA-Z0-9-_]+):[0-9]+)");
  if (arns.size() > 5) throw errors::invalid_parameter("Cannot reference more than 5 layers.");
  std::vector<fs::path> folders;
  for (const std::string& arn : arns) {
    std::smatch match;
    if (arn.size() > 140 || !std::regex_match(arn, match, pattern)) {
      throw AwsError(400, "ValidationException",
                     "1 validation error detected: Value '[" + arn +
                         "]' at 'layers' failed to satisfy constraint: Member must satisfy "
                         "constraint: [Member must have length less than or equal to 140, Member "
                         "must have length greater than or equal to 1, Member must satisfy "
                         "regular expression pattern: "
                         "arn:[a-zA-Z0-9-]+:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
                         "\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+]",
                     AwsError::Key::kmessage);
    }
    const std::string name = match[5].str();
    int version = 0;
    const std::string version_text = arn.substr(arn.rfind(':') + 1);
    std::from_chars(version_text.data(), version_text.data() + version_text.size(), version);
    if (auto published = published_layer(name, version)) {
      folders.push_back(*published);
      continue;
    }
    std::optional<fs::path> found;
    for (const auto& [function, record] : records_) {
      if (record.origin != Origin::kTemplate) continue;
      for (const auto& layer : record.config.layers) {
        if (layer.filename() == name) found = layer;
      }
    }
    if (!found) {
      throw errors::invalid_parameter(
          "Layer version " + arn +
          " does not exist. (lambdad serves the layers its template declares, by their folder's "
          "name)");
    }
    folders.push_back(*found);
  }
  return folders;
}

void Registry::apply(const ConfigPatch& patch, FunctionRecord& record) const {
  FunctionConfig& c = record.config;
  if (patch.runtime) c.runtime = *patch.runtime;
  if (patch.handler) c.handler = *patch.handler;
  if (patch.role) record.role = *patch.role;
  if (patch.description) c.description = *patch.description;
  if (patch.memory_mb) c.memory_mb = *patch.memory_mb;
  if (patch.timeout_s) c.timeout_s = *patch.timeout_s;
  if (patch.ephemeral_storage_mb) c.ephemeral_storage_mb = *patch.ephemeral_storage_mb;
  if (patch.environment) c.environment = *patch.environment;
  if (patch.architectures) c.architectures = *patch.architectures;
  if (patch.layers) {
    c.layers = resolve_layers(*patch.layers);
    record.layer_arns = *patch.layers;
  }
}

FunctionRecord& Registry::writable(const std::string& name,
                                   const std::optional<std::string>& revision) {
  auto it = records_.find(name);
  if (it == records_.end()) throw errors::function_not_found(function_arn(name));
  FunctionRecord& record = it->second;
  if (record.state == State::kPending) {
    throw conflict(
        "The operation cannot be performed at this time. The function is currently in the "
        "following state: Pending");
  }
  if (record.last_update_status == UpdateStatus::kInProgress) throw update_in_progress(name);
  if (revision && !revision->empty() && *revision != record.revision_id) {
    throw AwsError(412, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the "
                   "GetFunction/GetAlias API to retrieve the latest Revision Id",
                   AwsError::Key::kmessage);
  }
  return record;
}

void Registry::settle(const std::string& name) {
  if (auto it = records_.find(name); it != records_.end()) {
    it->second.last_update_status = UpdateStatus::kSuccessful;
  }
}

void Registry::committed(const std::string& name) {
  asio::post(io_, [this, name] {
    try {
      if (on_change_) on_change_();
    } catch (const std::exception& e) {
      spdlog::error("function {}: the scheduler did not take the change: {}", name, e.what());
    }
    if (auto it = records_.find(name); it != records_.end()) {
      it->second.state = State::kActive;
      it->second.last_update_status = UpdateStatus::kSuccessful;
    }
  });
}

asio::awaitable<FunctionRecord> Registry::create(CreateRequest request) {
  const bool publish = request.publish;
  const std::string name = request.name;
  if (records_.contains(name) || creating_.contains(name)) {
    throw conflict("Function already exist: " + name);
  }
  FunctionRecord record;
  record.origin = Origin::kApi;
  record.config.name = record.config.logical_id = name;
  record.config.architectures = {"x86_64"};
  record.config.code_source = "Code.ZipFile";
  apply(request.config, record);
  record.tags = std::move(request.tags);
  creating_.insert(name);
  try {
    std::function<StagedCode()> stage =
        stage_job(code_, options_.check, std::move(request.zip), record.config);
    const StagedCode staged = co_await thread_->run<StagedCode>(std::move(stage));
    record.code_hex = staged.hex;
    record.code_sha256 = staged.base64;
    record.code_size = staged.size;
    record.config.code_dir = staged.dir;
    record.revision_id = new_request_id();
    record.last_modified_ms = now();
    record.state = State::kPending;
    std::function<bool()> put = create_job(thread_->db.get(), record);
    co_await thread_->run<bool>(std::move(put));
  } catch (...) {
    creating_.erase(name);
    throw;
  }
  creating_.erase(name);
  if (records_.contains(name)) {
    // A template deploy took the name while the code was written: the template owns it.
    thread_->post_remove(name);
    throw conflict("Function already exist: " + name);
  }
  records_[name] = record;
  published_.erase(name);  // leftovers of a function of this name the template dropped
  committed(name);
  if (publish) co_return co_await publish_now(name, {});
  co_return record;
}

asio::awaitable<FunctionRecord> Registry::update_code(std::string name, std::string zip,
                                                      std::optional<std::string> revision_id,
                                                      bool dry_run, bool publish) {
  FunctionRecord& current = writable(name, revision_id);
  if (dry_run) {
    FunctionRecord copy = current;
    std::function<StagedCode()> check = check_job(code_, std::move(zip));
    const StagedCode staged = co_await thread_->run<StagedCode>(std::move(check));
    copy.code_sha256 = staged.base64;
    copy.code_size = staged.size;
    co_return copy;
  }
  current.last_update_status = UpdateStatus::kInProgress;
  FunctionRecord next;
  try {
    std::function<StagedCode()> stage = stage_job(code_, {}, std::move(zip), {});
    const StagedCode staged = co_await thread_->run<StagedCode>(std::move(stage));
    auto it = records_.find(name);
    if (it == records_.end()) throw errors::function_not_found(function_arn(name));
    next = it->second;
    next.code_hex = staged.hex;
    next.code_sha256 = staged.base64;
    next.code_size = staged.size;
    next.config.code_dir = staged.dir;
    next.config.code_source = "Code.ZipFile";
    next.revision_id = new_request_id();
    next.last_modified_ms = now();
    std::function<bool()> put = put_job(thread_->db.get(), next, {});
    co_await thread_->run<bool>(std::move(put));
    if (next.origin == Origin::kTemplate) next.changed_by_api = true;
  } catch (...) {
    settle(name);
    throw;
  }
  records_[name] = next;
  committed(name);
  if (publish) co_return co_await publish_now(name, {});
  co_return next;
}

asio::awaitable<FunctionRecord> Registry::update_configuration(
    std::string name, ConfigPatch patch, std::optional<std::string> revision_id) {
  FunctionRecord& current = writable(name, revision_id);
  FunctionRecord next = current;
  apply(patch, next);  // throws before anything changes
  current.last_update_status = UpdateStatus::kInProgress;
  try {
    next.revision_id = new_request_id();
    next.last_modified_ms = now();
    next.last_update_status = UpdateStatus::kInProgress;
    std::function<bool()> put = put_job(thread_->db.get(), next, options_.check);
    co_await thread_->run<bool>(std::move(put));
    if (next.origin == Origin::kTemplate) next.changed_by_api = true;
  } catch (...) {
    settle(name);
    throw;
  }
  records_[name] = next;
  committed(name);
  co_return next;
}

asio::awaitable<void> Registry::remove(std::string name) {
  auto it = records_.find(name);
  if (it == records_.end()) throw errors::function_not_found(function_arn(name));
  if (it->second.origin == Origin::kTemplate) {
    throw conflict("Function " + name +
                   " is declared by the template, which owns it: remove it from the template "
                   "instead");
  }
  if (it->second.last_update_status == UpdateStatus::kInProgress ||
      it->second.state == State::kPending) {
    throw update_in_progress(name);
  }
  it->second.last_update_status = UpdateStatus::kInProgress;  // no update starts meanwhile
  try {
    std::function<bool()> job = remove_job(thread_->db.get(), name);
    co_await thread_->run<bool>(std::move(job));
  } catch (...) {
    settle(name);
    throw;
  }
  records_.erase(name);
  forget_stored(name);
  forget_concurrency(name);
  published_.erase(name);
  committed(name);
}

asio::awaitable<std::string> Registry::code_zip(std::string name) {
  const FunctionRecord* record = find(name);
  if (!record) throw errors::function_not_found(function_arn(name));
  const fs::path zip = record->code_hex.empty() ? fs::path() : code_.zip_file(record->code_hex);
  std::function<std::string()> job = read_code_job(code_, zip, record->config.code_dir);
  co_return co_await thread_->run<std::string>(std::move(job));
}

asio::awaitable<void> Registry::run_on_thread(std::function<void()> job) {
  std::function<bool()> wrapped = void_job(std::move(job));
  co_await thread_->run<bool>(std::move(wrapped));
}

void Registry::post_to_thread(std::function<void()> job) {
  thread_->post(std::move(job));
}

RegistryDb* Registry::database() const {
  return thread_->db.get();
}

}  // namespace lambdad::registry
