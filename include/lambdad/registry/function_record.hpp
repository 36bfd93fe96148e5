#pragma once
/// @brief What the registry knows of a function: its configuration, where it came from, and the
/// Lambda API's bookkeeping around it (RevisionId, State, LastUpdateStatus, LastModified, the
/// uploaded code's CodeSha256 and CodeSize, Role, Tags). Plain data, copied to callers.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/common/function_config.hpp"

namespace lambdad::registry {

/// Who made the function: the template (deploys, hot reload, --git) or the Lambda API.
enum class Origin { kTemplate, kApi };
/// Lambda's `State`: Pending from CreateFunction until the scheduler serves it, then Active.
enum class State { kPending, kActive };
/// Lambda's `LastUpdateStatus`: InProgress while an update is written and swapped in.
enum class UpdateStatus { kSuccessful, kInProgress };

std::string_view origin_name(Origin origin);
std::string_view state_name(State state);
std::string_view update_status_name(UpdateStatus status);

struct FunctionRecord {
  FunctionConfig config;
  /// "$LATEST", or a published version's number: then the record is that version's immutable
  /// snapshot (its code in the registry's code store, its own RevisionId and LastModified).
  std::string version = "$LATEST";
  Origin origin = Origin::kTemplate;
  std::string role;  ///< Role ARN as given ("" for template functions: reported as <Id>Role)
  std::map<std::string, std::string> tags;
  std::string revision_id;         ///< a UUID, new on every write
  long long last_modified_ms = 0;  ///< epoch ms of the last write
  /// Uploaded code (API functions, and template functions whose code the API replaced): the
  /// zip's SHA-256 in hex (the code folder's name) and base64 (the API's CodeSha256), and its
  /// size. Empty for a template folder (the API summarises the folder itself).
  std::string code_hex;
  std::string code_sha256;
  uint64_t code_size = 0;
  std::vector<std::string> layer_arns;  ///< as given (API functions)
  State state = State::kActive;
  UpdateStatus last_update_status = UpdateStatus::kSuccessful;
  /// A template function the API changed since the template's last deploy: the next deploy of
  /// the template overwrites that change (and logs so).
  bool changed_by_api = false;

  /// "2024-01-01T00:00:00.000+0000", the Lambda API's LastModified format.
  std::string last_modified() const;
};

/// An alias: a name for a version, with optionally a second version taking a share of the
/// invocations (RoutingConfig.AdditionalVersionWeights, at most one entry on AWS).
struct AliasRecord {
  std::string function;  ///< the function's name
  std::string name;
  std::string function_version;  ///< "$LATEST" or a number
  std::string description;
  std::map<std::string, double> weights;  ///< version → share, 0.0–1.0
  std::string revision_id;
  /// The template's AutoPublishAlias: the template owns it (not changed through the API).
  bool from_template = false;
};

/// The settable fields of an alias, each optional (UpdateAlias changes only what it names).
struct AliasPatch {
  std::optional<std::string> function_version;
  std::optional<std::string> description;
  std::optional<std::map<std::string, double>> weights;
};

/// PublishVersion's conditions and description.
struct PublishRequest {
  std::optional<std::string> code_sha256;  ///< must match $LATEST's when given
  std::optional<std::string> revision_id;  ///< must match $LATEST's when given
  std::optional<std::string> description;  ///< the version's; else the function's
};

/// The settable fields of CreateFunction and UpdateFunctionConfiguration, each optional (an
/// update changes only what it names; Environment is replaced whole when named).
struct ConfigPatch {
  std::optional<std::string> runtime;
  std::optional<std::string> handler;
  std::optional<std::string> role;
  std::optional<std::string> description;
  std::optional<int> memory_mb;
  std::optional<int> timeout_s;
  std::optional<int> ephemeral_storage_mb;
  std::optional<std::map<std::string, std::string>> environment;
  std::optional<std::vector<std::string>> architectures;
  std::optional<std::vector<std::string>> layers;  ///< layer version ARNs
};

/// CreateFunction as the registry takes it, its JSON already checked by the API.
struct CreateRequest {
  std::string name;
  ConfigPatch config;
  std::string zip;  ///< the decoded Code.ZipFile
  std::map<std::string, std::string> tags;
  bool publish = false;  ///< answer with version 1, published from the new function
};

}  // namespace lambdad::registry
