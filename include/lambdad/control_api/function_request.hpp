#pragma once
/// @brief The bodies of CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration, read
/// and checked as Lambda checks them (its constraint messages, its status codes) into what the
/// registry takes. Pure functions over untrusted JSON; each throws AwsError and changes nothing.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/registry/function_record.hpp"

namespace lambdad::control_api {

/// The largest body CreateFunction and UpdateFunctionCode take: Lambda's own figure (a 50 MB zip
/// in base64 and the JSON around it); beyond it 413 RequestEntityTooLargeException.
inline constexpr uint64_t kUploadBodyLimit = 69905067;

/// "Request must be smaller than 69905067 bytes for the CreateFunction operation".
AwsError upload_too_large(std::string_view operation);

/// Parses a body as JSON (InvalidRequestContentException when it does not parse or is not an
/// object).
nlohmann::json parse_body(std::string_view body);

/// CreateFunction's body; the zip decoded.
registry::CreateRequest create_request(const nlohmann::json& body);

struct CodeUpdate {
  std::string zip;  ///< decoded ZipFile
  bool dry_run = false;
  bool publish = false;
  std::optional<std::string> revision_id;
};
CodeUpdate code_update(const nlohmann::json& body);

struct ConfigurationUpdate {
  registry::ConfigPatch patch;
  std::optional<std::string> revision_id;
};
ConfigurationUpdate configuration_update(const nlohmann::json& body);

/// Code.ZipFile / ZipFile (and PublishLayerVersion's Content.ZipFile), decoded; the other
/// sources answered with why lambdad has none.
std::string zip_file(const nlohmann::json& code);

/// A function name as CreateFunction takes it (a name or ARN without a qualifier): the name.
/// Throws ValidationException.
std::string create_name(const nlohmann::json& value);

}  // namespace lambdad::control_api
