#pragma once
/// @brief What the registry stores beside a function's configuration, for the Lambda API's
/// operations of the same names: tags (on FunctionRecord), resource policies, asynchronous
/// invocation configs and layer versions. Plain data, copied to callers.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lambdad::registry {

/// A function's (or one of its versions' or aliases') resource policy: AddPermission's
/// statements in the order they were added. The RevisionId is the policy's own, new on every
/// write (on AWS it is the function's; see docs/compatibility.md).
struct Policy {
  std::vector<nlohmann::json> statements;  ///< each AWS's statement shape, with its `Sid`
  std::string revision_id;
};

/// FunctionEventInvokeConfig of one (function, qualifier). Unset fields are the server's
/// defaults (2 retries, 6 hours).
struct EventInvokeConfig {
  std::optional<int> maximum_retry_attempts;  ///< 0–2
  std::optional<int> maximum_event_age_s;     ///< 60–21600
  std::optional<std::string> on_success;      ///< destination ARN, kept as given
  std::optional<std::string> on_failure;      ///< destination ARN, kept as given
  long long last_modified_ms = 0;
  bool from_template = false;  ///< the template's EventInvokeConfig: read-only for the API

  bool operator==(const EventInvokeConfig&) const = default;
};

/// The config in the API's shape (MaximumRetryAttempts, MaximumEventAgeInSeconds when set;
/// DestinationConfig always, `{}` for an unset side), and back (the template's shape too).
nlohmann::json event_invoke_config_json(const EventInvokeConfig& config);
EventInvokeConfig read_event_invoke_config(const nlohmann::json& json);

/// One version of a layer: published through the API (code in the CodeStore), or a template's
/// AWS::Serverless::LayerVersion folder (version 1 of the folder's name).
struct LayerVersion {
  std::string name;
  int version = 0;
  std::string description;
  std::string license_info;
  std::vector<std::string> compatible_runtimes;
  std::vector<std::string> compatible_architectures;
  long long created_ms = 0;
  std::string code_hex;     ///< the zip's SHA-256 hex (empty for a template folder)
  std::string code_sha256;  ///< base64, the API's CodeSha256 (empty for a template folder)
  uint64_t code_size = 0;
  std::filesystem::path dir;  ///< the unzipped layer: what a function's /opt holds
  bool from_template = false;
};

/// PublishLayerVersion as the registry takes it, its JSON already checked by the API.
struct PublishLayerRequest {
  std::string name;
  std::string zip;  ///< the decoded Content.ZipFile
  std::string description;
  std::string license_info;
  std::vector<std::string> compatible_runtimes;
  std::vector<std::string> compatible_architectures;
};

}  // namespace lambdad::registry
