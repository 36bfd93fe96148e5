#pragma once
/// @brief The function registry: what each function *is* — its configuration, its code, its
/// RevisionId / State / LastUpdateStatus — whether the template declared it or the Lambda API
/// made it. Template deploys (start, hot reload, --git) and the write API both write into it; its
/// merged set of functions is what the server hands the scheduler (server/redeployer.cpp).
///
/// Rule for a name in both: the template owns what it declares. A template deploy replaces a
/// function the API made under a name the template now declares, and undoes API changes to a
/// template function, each with a log line saying so; CreateFunction under a template's name is
/// a ResourceConflictException, DeleteFunction of a template function too.
///
/// Versions and aliases (versions.cpp): PublishVersion snapshots $LATEST, its code included (a
/// template function's folder is zipped into the code store), under the next number, never
/// reused. Every function's versions and aliases persist, a template function's too; the
/// template's AutoPublishAlias version 1 and its alias are the template's (derived from it at
/// every deploy, not stored), so the API's numbers of such a function start at 2.
///
/// Persistence: the API's functions are rows of `registry_functions` in the state dir's
/// database, written on the registry's own thread with its own connection (the io thread
/// `co_await`s them). A create writes its code first (code_store.hpp) and commits the row last,
/// so an interrupted create leaves no half function. Template functions live in memory: the
/// template is read again at every start.
///
/// Thread safety: every member runs on the io thread, except that the disk work runs on the
/// registry thread while its caller awaits.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "lambdad/common/function_config.hpp"
#include "lambdad/common/function_versions.hpp"
#include "lambdad/registry/code_store.hpp"
#include "lambdad/registry/concurrency.hpp"
#include "lambdad/registry/function_record.hpp"
#include "lambdad/registry/provisioned.hpp"
#include "lambdad/registry/stored_records.hpp"

namespace lambdad::registry {

class RegistryDb;

struct RegistryOptions {
  std::filesystem::path state_dir;  ///< holds lambdad.db and code/
  /// The time LastModified shows (tests inject a fake one).
  std::function<long long()> now_ms;
  /// Checks a function the API is about to create or change can run here (its runtime's
  /// interpreter): throws AwsError. Called on the registry thread.
  std::function<void(const FunctionConfig&)> check;
  /// The server's concurrent executions (`--max-concurrency`), which reservations share.
  int concurrency_limit = 1000;
};

class Registry {
 public:
  Registry(boost::asio::any_io_executor io, RegistryOptions options);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// At start, before serving: opens the database, loads the API's functions, takes the
  /// template's (set_template) and sweeps code leftovers no function uses.
  void open(const std::vector<FunctionConfig>& template_functions,
            const std::map<std::string, std::string>& fingerprints = {});

  /// A template (re)deploy: its functions replace the previous template's. `fingerprints`
  /// (function → code fingerprint, when known) tell a code change apart for RevisionId.
  void set_template(const std::vector<FunctionConfig>& functions,
                    const std::map<std::string, std::string>& fingerprints = {});

  /// Called on the io thread after an API write is committed: the server hands functions() to
  /// the scheduler. The write's status becomes Active / Successful once it returns.
  void on_change(std::function<void()> callback) { on_change_ = std::move(callback); }

  /// Every function, template and API, by name: what the scheduler serves.
  std::vector<FunctionConfig> functions() const;
  /// nullptr when no function has this exact name.
  const FunctionRecord* find(const std::string& name) const;
  /// Every function's record, by name.
  std::vector<FunctionRecord> list() const;
  /// Whether `dir` is uploaded code (then its path is its content's fingerprint).
  bool holds_code(const std::filesystem::path& dir) const { return code_.holds(dir); }

  // The write operations. Each throws AwsError (ResourceNotFound, ResourceConflict,
  // PreconditionFailed, InvalidParameterValue) before writing anything, or ServiceException
  // when the disk refuses; a refused request leaves no trace.
  boost::asio::awaitable<FunctionRecord> create(CreateRequest request);
  /// `publish`: the answer is the version published from the new code.
  boost::asio::awaitable<FunctionRecord> update_code(std::string name, std::string zip,
                                                     std::optional<std::string> revision_id,
                                                     bool dry_run, bool publish = false);
  boost::asio::awaitable<FunctionRecord> update_configuration(
      std::string name, ConfigPatch patch, std::optional<std::string> revision_id);
  boost::asio::awaitable<void> remove(std::string name);

  // Versions and aliases (versions.cpp), with the same promises as the writes above.
  /// PublishVersion: the new version, or the latest one when $LATEST has not changed since.
  boost::asio::awaitable<FunctionRecord> publish(std::string name, PublishRequest request);
  /// DeleteFunction with a version qualifier. The version's policy and event invoke config go
  /// with it, as remove_alias's with the alias.
  boost::asio::awaitable<void> remove_version(std::string name, std::string version);
  boost::asio::awaitable<AliasRecord> create_alias(AliasRecord alias);
  boost::asio::awaitable<AliasRecord> update_alias(std::string name, std::string alias,
                                                   AliasPatch patch,
                                                   std::optional<std::string> revision_id);
  boost::asio::awaitable<void> remove_alias(std::string name, std::string alias);

  /// $LATEST, then each published version by number; empty for an unknown function.
  std::vector<FunctionRecord> versions(const std::string& name) const;
  /// The record a qualifier names: "" or $LATEST, a version, or an alias (its primary
  /// version); nullopt when there is none.
  std::optional<FunctionRecord> find_version(const std::string& name,
                                             const std::string& qualifier) const;
  std::optional<AliasRecord> find_alias(const std::string& name, const std::string& alias) const;
  std::vector<AliasRecord> aliases(const std::string& name) const;
  /// The API's versions and aliases of every function, for the scheduler (which adds each
  /// template function's AutoPublishAlias version itself: auto_published()).
  Publications publications() const;

  /// The function's code as a zip (GetFunction's Code.Location): the upload as kept, or a
  /// template folder zipped now.
  boost::asio::awaitable<std::string> code_zip(std::string name);

  /// The layer folders named by layer version ARNs
  /// (`arn:aws:lambda:<region>:<account>:layer:<name>:<version>`): published layer versions,
  /// and a template's layers by their folder's name. Throws InvalidParameterValueException for
  /// any other.
  std::vector<std::filesystem::path> resolve_layers(const std::vector<std::string>& arns) const;

  // The stored operations (stored_records.hpp). Reads answer from memory; writes are committed on
  // the registry thread first. None of them changes what the scheduler serves, so none replaces
  // a warm worker. The caller has checked the function (and qualifier) exist.

  /// TagResource / UntagResource (tags.cpp): the function's tags after the change. A key the
  /// template declares (its Tags, and SAM's `lambda:createdBy`) is the template's: refused.
  boost::asio::awaitable<std::map<std::string, std::string>> tag(
      std::string name, std::map<std::string, std::string> tags);
  boost::asio::awaitable<std::map<std::string, std::string>> untag(std::string name,
                                                                   std::vector<std::string> keys);

  /// GetPolicy / AddPermission / RemovePermission (policies.cpp), by (function, qualifier);
  /// "" and "$LATEST" are the unqualified function.
  std::optional<Policy> policy(const std::string& name, const std::string& qualifier) const;
  /// Adds `statement` (AWS's shape, with its Sid): ResourceConflictException when the Sid is
  /// taken, PreconditionFailedException when `revision_id` is not the policy's.
  boost::asio::awaitable<void> add_permission(std::string name, std::string qualifier,
                                              nlohmann::json statement,
                                              std::optional<std::string> revision_id);
  boost::asio::awaitable<void> remove_permission(std::string name, std::string qualifier,
                                                 std::string sid,
                                                 std::optional<std::string> revision_id);

  /// FunctionEventInvokeConfig (event_invoke_configs.cpp), by (function, qualifier); "" is
  /// $LATEST. The template's EventInvokeConfig shows under its AutoPublishAlias or $LATEST.
  std::optional<EventInvokeConfig> event_invoke_config(const std::string& name,
                                                       const std::string& qualifier) const;
  /// Every qualifier's of the function, by qualifier.
  std::vector<std::pair<std::string, EventInvokeConfig>> event_invoke_configs(
      const std::string& name) const;
  /// Put replaces (merge false), Update merges into the existing one (ResourceNotFound when
  /// there is none). The template's is read-only (ResourceConflictException).
  boost::asio::awaitable<EventInvokeConfig> put_event_invoke_config(std::string name,
                                                                    std::string qualifier,
                                                                    EventInvokeConfig config,
                                                                    bool merge);
  boost::asio::awaitable<void> delete_event_invoke_config(std::string name, std::string qualifier);

  /// Layers (layers.cpp): versions numbered per name from 1, never reused; a template's layer
  /// folder is version 1 of its folder's name (publishing that name goes on from 2).
  boost::asio::awaitable<LayerVersion> publish_layer(PublishLayerRequest request);
  std::optional<LayerVersion> layer_version(const std::string& name, int version) const;
  /// Newest first.
  std::vector<LayerVersion> layer_versions(const std::string& name) const;
  std::vector<std::string> layer_names() const;
  /// Idempotent, as AWS's. The code stays while a function uses it (the next start's sweep
  /// removes it once none does).
  boost::asio::awaitable<void> delete_layer_version(std::string name, int version);
  /// The layer version's zip (GetLayerVersion's Content.Location).
  boost::asio::awaitable<std::string> layer_zip(std::string name, int version);
  // Reserved concurrency (concurrency.cpp). A value set through the API is kept in the state
  // dir's `registry_concurrency` table for template and API functions alike; a template that
  // declares ReservedConcurrentExecutions owns it and wins at its next deploy (logged). Neither
  // Put nor Delete changes the function's RevisionId: the reservation is not part of its
  // configuration, as on AWS.

  /// GetFunctionConcurrency (nullopt: no reservation). Throws ResourceNotFoundException.
  std::optional<int> reserved_concurrency(const std::string& name) const;
  /// PutFunctionConcurrency: checks the limits (concurrency.hpp), persists, then hands the
  /// scheduler the new reservation (on_change). Throws AwsError before writing anything.
  boost::asio::awaitable<int> put_concurrency(std::string name, int reserved);
  /// DeleteFunctionConcurrency: the function draws from the unreserved pool again.
  boost::asio::awaitable<void> delete_concurrency(std::string name);
  /// GetAccountSettings' figures.
  AccountFigures account() const;

  // Provisioned concurrency configs (provisioned.cpp, rules in provisioned.hpp), by (function,
  // qualifier): a version number or an alias, never $LATEST. The API's persist in the state dir's
  // `registry_provisioned` table; the template's AutoPublishAlias ProvisionedConcurrencyConfig
  // shows under its alias, read-only. publications() hands the scheduler each version's share.
  // Like the reservation, a config is not part of the function's configuration: RevisionId stays.

  /// GetProvisionedConcurrencyConfig: nullopt when the qualifier has none. Throws AwsError for a
  /// missing qualifier or $LATEST (InvalidParameterValue), an unknown function, version or alias
  /// (ResourceNotFound).
  std::optional<ProvisionedConfig> provisioned_config(const std::string& name,
                                                      const std::string& qualifier) const;
  /// ListProvisionedConcurrencyConfigs: the function's, by qualifier (the template's included).
  std::vector<ProvisionedConfig> provisioned_configs(const std::string& name) const;
  /// PutProvisionedConcurrencyConfig: checks the qualifier, the one-config-per-version rule and the
  /// limits, persists, then hands the scheduler the new floor (on_change). Throws AwsError before
  /// writing anything.
  boost::asio::awaitable<ProvisionedConfig> put_provisioned(std::string name, std::string qualifier,
                                                            int requested);
  /// DeleteProvisionedConcurrencyConfig: idempotent, as AWS's; the template's is refused.
  boost::asio::awaitable<void> delete_provisioned(std::string name, std::string qualifier);

 private:
  struct Thread;
  struct Stored;
  /// At open(): the stored operations' tables and rows (on the calling thread).
  void open_stored();
  /// After DeleteFunction: its tags, policies and event invoke configs go too.
  void forget_stored(const std::string& name);
  /// After a version or alias is deleted: its policy, event invoke config and provisioned
  /// concurrency config, in memory (the rows go with the version's or alias's, versions.cpp).
  void forget_stored(const std::string& name, const std::string& qualifier);
  /// A template function's tags: its Tags, SAM's `lambda:createdBy`, then the API's.
  std::map<std::string, std::string> template_tags(const FunctionConfig& config) const;
  /// The code folder of a published layer version, if there is one.
  std::optional<std::filesystem::path> published_layer(const std::string& name, int version) const;
  void apply(const ConfigPatch& patch, FunctionRecord& record) const;
  FunctionRecord& writable(const std::string& name, const std::optional<std::string>& revision);
  void committed(const std::string& name);
  /// A refused write: the function is Successful again, as it was.
  void settle(const std::string& name);
  long long now() const;
  /// Runs a job on the registry's thread while the caller awaits / without waiting (errors
  /// logged); the job may use database().
  boost::asio::awaitable<void> run_on_thread(std::function<void()> job);
  void post_to_thread(std::function<void()> job);
  RegistryDb* database() const;
  // concurrency.cpp
  void load_concurrency();
  /// After a template deploy: the API's reservations over the records, except where the
  /// template declares its own (which wins, logged); those of functions gone are dropped.
  void merge_concurrency();
  /// The function is gone (deleted, or taken over by the template): so is its reservation.
  void forget_concurrency(const std::string& name);
  // provisioned.cpp
  /// The function's provisioned concurrency: its template's and every config of the API's.
  long long provisioned_total(const std::string& name) const;
  /// The qualifier's config with its shares filled in (nullopt: none, or its alias is gone).
  std::optional<ProvisionedConfig> with_shares(ProvisionedConfig config) const;
  /// Throws ResourceConflictException when a config on alias `alias` (as it would be after a
  /// write) would cover a version another config covers, InvalidParameterValueException when it
  /// would point at $LATEST. Nothing when the alias has no config, unless `configured` (it is
  /// about to get one).
  void check_provisioned_alias(const AliasRecord& alias, bool configured = false) const;
  /// Adds each API config's shares to the versions of publications().
  void add_provisioned(Publications& publications) const;

  /// A function's published versions (by number) and aliases.
  struct Published {
    int last_version = 0;  ///< the highest number given, deleted or not
    std::map<int, FunctionRecord> versions;
    std::map<std::string, AliasRecord> aliases;
  };
  /// Writes the version published from `name`'s $LATEST; no state checks (the callers made
  /// them).
  boost::asio::awaitable<FunctionRecord> publish_now(std::string name, PublishRequest request);
  /// Throws AwsError when `alias` cannot be written.
  void check_alias(const AliasRecord& alias) const;
  /// The template's AutoPublishAlias version 1 and alias of a function; nullopt without one.
  std::optional<FunctionRecord> template_version(const std::string& name) const;
  std::optional<AliasRecord> template_alias(const std::string& name) const;
  /// Whether `version` ("1", …) of the function exists.
  bool has_version(const std::string& name, const std::string& version) const;

  boost::asio::any_io_executor io_;
  RegistryOptions options_;
  CodeStore code_;
  std::unique_ptr<Thread> thread_;
  std::unique_ptr<Stored> stored_;
  std::map<std::string, FunctionRecord> records_;
  std::set<std::string> creating_;              ///< names of creates whose code is being written
  std::map<std::string, Published> published_;  ///< by function name
  std::map<std::string, std::string> fingerprints_;  ///< the template's, at its last deploy
  std::function<void()> on_change_;
  /// Reservations set through the API, by function; nullopt: deleted over the template's value.
  std::map<std::string, std::optional<int>> concurrency_;
  /// What the template's functions declare (ReservedConcurrentExecutions), at its last deploy.
  std::map<std::string, int> template_reservations_;
};

}  // namespace lambdad::registry
