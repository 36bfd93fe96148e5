/// @brief The bodies and parameters of the stored operations (TagResource, AddPermission,
/// FunctionEventInvokeConfig, PublishLayerVersion), read and checked as Lambda checks them into
/// what the registry takes. Pure functions over untrusted input; each throws AwsError and
/// changes nothing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/registry/stored_records.hpp"

namespace lambdad::control_api {

/// AWS's limits of tags: 50 on a resource, keys 1–128 characters, values up to 256.
inline constexpr size_t kMaxTags = 50;

/// The function a tagging ARN names (`arn:aws:lambda:<region>:<account>:function:<name>`): its
/// name. A qualified ARN is InvalidParameterValueException (tags are the function's), anything
/// else ValidationException.
std::string tagged_function(std::string_view arn);
/// TagResource's `Tags`: each key and value within AWS's limits, no `aws:` prefix.
std::map<std::string, std::string> tag_request(const nlohmann::json& body);
/// Tags within AWS's limits (CreateFunction's Tags too).
void check_tags(const std::map<std::string, std::string>& tags);
/// UntagResource's `tagKeys` (each within the key limits); at least one.
void check_tag_keys(const std::vector<std::string>& keys);

/// AddPermission's body as the statement AWS stores: Sid, Effect Allow, Principal (`*`,
/// {"Service": …} or {"AWS": …}), Action, Resource (`resource_arn`), Condition from
/// SourceArn (ArnLike AWS:SourceArn), SourceAccount (StringEquals AWS:SourceAccount),
/// EventSourceToken, PrincipalOrgID, FunctionUrlAuthType (StringEquals).
struct PermissionRequest {
  nlohmann::json statement;
  std::optional<std::string> revision_id;
};
PermissionRequest permission_request(const nlohmann::json& body, const std::string& resource_arn);
/// A StatementId as AWS takes it ([a-zA-Z0-9-_.]+, 1–100 characters).
void check_statement_id(const std::string& sid);
/// GetPolicy's `Policy`: the document, as the JSON string AWS returns.
std::string policy_document(const std::vector<nlohmann::json>& statements);

/// Put/UpdateFunctionEventInvokeConfig's body: MaximumRetryAttempts 0–2,
/// MaximumEventAgeInSeconds 60–21600, DestinationConfig's OnSuccess/OnFailure Destination ARNs.
registry::EventInvokeConfig event_invoke_config_request(const nlohmann::json& body);
/// Get/Put/List's shape: LastModified (epoch seconds, a float), FunctionArn (qualified),
/// the settings and DestinationConfig.
nlohmann::json event_invoke_config_response(const registry::EventInvokeConfig& config,
                                            const std::string& function_arn);

/// A layer name as AWS takes it (a name or a layer ARN, 1–140 characters): the name.
std::string layer_name(std::string_view text);
/// A layer version number in a path ("1"…): ResourceNotFound-worthy text is 0.
long long layer_version_number(std::string_view text);
/// PublishLayerVersion's body (Content.ZipFile decoded; S3 content refused clearly).
registry::PublishLayerRequest publish_layer_request(const nlohmann::json& body, std::string name);

}  // namespace lambdad::control_api
