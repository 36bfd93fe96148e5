#include "lambdad/control_api/function_request.hpp"

#include <set>

#include "body_fields.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/regex.hpp"
#include "lambdad/common/reserved_environment.hpp"
#include "lambdad/control_api/stored_request.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;

constexpr const char* kRolePattern =
    R"(arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+)";
constexpr size_t kEnvironmentLimit = 4096;

std::map<std::string, std::string> environment(const json& body) {
  const json* env = member(body, "Environment");
  if (!env) return {};
  if (!env->is_object()) throw wrong_type("Environment", "an object");
  const json* variables = member(*env, "Variables");
  if (!variables) return {};
  auto map = string_map(*variables, "Environment.Variables");
  static const std::regex key_pattern("[a-zA-Z]([a-zA-Z0-9_])+");
  std::string used;
  for (const auto& [key, value] : map) {
    // The size first: std::regex recurses per character.
    if (key.size() > kEnvironmentLimit || !std::regex_match(key, key_pattern)) {
      // AWS's own wording (it names no value): keys start with a letter and have two or more
      // characters.
      throw AwsError(400, "ValidationException",
                     "1 validation error detected: Value at 'environment.variables' failed to "
                     "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                     "regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
                     AwsError::Key::kmessage);
    }
    if (is_reserved_environment_variable(key)) used += (used.empty() ? "" : ", ") + key;
  }
  if (!used.empty()) {
    throw errors::invalid_parameter(
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported for "
        "modification. Reserved keys used in this request: " +
        used);
  }
  const std::string measured = json(map).dump();
  if (measured.size() > kEnvironmentLimit) {
    throw errors::invalid_parameter(
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided exceeded the 4KB limit. String measured: " +
        measured);
  }
  return map;
}

/// The fields CreateFunction and UpdateFunctionConfiguration share.
registry::ConfigPatch config_patch(const json& body) {
  registry::ConfigPatch patch;
  if (auto type = text(body, "PackageType"); type && *type != "Zip") {
    throw errors::invalid_parameter(
        "PackageType " + *type +
        " is not supported: lambdad runs functions from zip packages (Code.ZipFile), not "
        "container images");
  }
  patch.runtime = text(body, "Runtime");
  if (patch.runtime) {
    const std::string& r = *patch.runtime;
    if (!r.starts_with("provided") && !r.starts_with("nodejs") && !r.starts_with("python3")) {
      throw errors::invalid_parameter("The runtime parameter of " + r +
                                      " is not supported by lambdad: it runs provided*, "
                                      "nodejs* and python3.* functions");
    }
  }
  patch.handler = text(body, "Handler");
  if (patch.handler) {
    static const std::regex pattern(R"([^\s]+)");
    if (patch.handler->size() > 128 || !std::regex_match(*patch.handler, pattern)) {
      throw validation("'" + *patch.handler + "'", "handler",
                       "Member must satisfy regular expression pattern: [^\\s]+");
    }
  }
  patch.role = text(body, "Role");
  if (patch.role) {
    static const std::regex pattern(kRolePattern);
    if (patch.role->size() > 2048) {
      throw validation("'" + patch.role->substr(0, 64) + "…'", "role",
                       "Member must have length less than or equal to 2048");
    }
    if (!std::regex_match(*patch.role, pattern)) {
      throw validation(
          "'" + *patch.role + "'", "role",
          std::string("Member must satisfy regular expression pattern: ") + kRolePattern);
    }
  }
  patch.description = text(body, "Description");
  if (patch.description && patch.description->size() > 256) {
    throw validation("'" + *patch.description + "'", "description",
                     "Member must have length less than or equal to 256");
  }
  patch.memory_mb = number(body, "MemorySize", "memorySize", 128, 10240);
  patch.timeout_s = number(body, "Timeout", "timeout", 1, 900);
  if (const json* storage = member(body, "EphemeralStorage")) {
    if (!storage->is_object()) throw wrong_type("EphemeralStorage", "an object");
    patch.ephemeral_storage_mb = number(*storage, "Size", "ephemeralStorage.size", 512, 10240);
  }
  if (member(body, "Environment")) patch.environment = environment(body);
  if (const json* architectures = member(body, "Architectures")) {
    auto list = string_list(*architectures, "Architectures");
    if (list.size() != 1 || (list[0] != "x86_64" && list[0] != "arm64")) {
      throw validation(architectures->dump(), "architectures",
                       "Member must have length less than or equal to 1, Member must satisfy "
                       "enum value set: [x86_64, arm64]");
    }
    patch.architectures = list;
  }
  if (const json* layers = member(body, "Layers")) patch.layers = string_list(*layers, "Layers");
  return patch;
}

}  // namespace

std::string zip_file(const json& code) {
  if (member(code, "ImageUri")) {
    throw errors::invalid_parameter(
        "ImageUri is not supported: lambdad runs functions from zip packages (ZipFile), not "
        "container images");
  }
  if (member(code, "S3Bucket") || member(code, "S3Key")) {
    throw errors::invalid_parameter(
        "S3Bucket / S3Key are not supported: lambdad has no S3; upload the package as ZipFile");
  }
  auto encoded = text(code, "ZipFile");
  if (!encoded) throw errors::invalid_parameter("Please provide a source for function code.");
  auto zip = base64_decode(*encoded);
  if (!zip)
    throw errors::invalid_request_content(
        "Could not parse request body into json: ZipFile is not valid base64");
  if (zip->empty()) {
    throw errors::invalid_parameter(
        "Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  return std::move(*zip);
}

AwsError upload_too_large(std::string_view operation) {
  return {413, "RequestEntityTooLargeException",
          "Request must be smaller than " + std::to_string(kUploadBodyLimit) + " bytes for the " +
              std::string(operation) + " operation",
          AwsError::Key::kmessage};
}

json parse_body(std::string_view body) {
  json parsed = json::parse(body.empty() ? std::string_view("{}") : body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw errors::invalid_request_content(
        "Could not parse request body into json: the body is not a JSON object");
  }
  return parsed;
}

std::string create_name(const json& value) {
  if (value.is_null()) {
    throw validation("null", "functionName", "Member must not be null");
  }
  if (!value.is_string()) throw wrong_type("FunctionName", "a string");
  const std::string raw = value.get<std::string>();
  const FunctionName name = parse_function_name(raw);  // ValidationException
  static const std::regex plain("[a-zA-Z0-9-_]{1,64}");
  if (!name.qualifier.empty() || !std::regex_match(name.name, plain)) {
    throw validation("'" + raw + "'", "functionName",
                     "Member must satisfy regular expression pattern: "
                     "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                     "(function:)?([a-zA-Z0-9-_]+)");
  }
  return name.name;
}

registry::CreateRequest create_request(const json& body) {
  registry::CreateRequest request;
  auto it = body.find("FunctionName");
  request.name = create_name(it == body.end() ? json() : *it);
  request.config = config_patch(body);
  if (!request.config.role) throw validation("null", "role", "Member must not be null");
  if (!request.config.runtime ||
      (!request.config.handler && !request.config.runtime->starts_with("provided"))) {
    throw errors::invalid_parameter(
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.");
  }
  const json* code = member(body, "Code");
  if (!code) throw validation("null", "code", "Member must not be null");
  if (!code->is_object()) throw wrong_type("Code", "an object");
  request.zip = zip_file(*code);
  if (const json* tags = member(body, "Tags")) {
    request.tags = string_map(*tags, "Tags");
    check_tags(request.tags);
  }
  request.publish = flag(body, "Publish").value_or(false);
  return request;
}

CodeUpdate code_update(const json& body) {
  CodeUpdate update;
  update.zip = zip_file(body);
  update.dry_run = flag(body, "DryRun").value_or(false);
  update.publish = flag(body, "Publish").value_or(false);
  update.revision_id = text(body, "RevisionId");
  if (const json* architectures = member(body, "Architectures")) {
    auto list = string_list(*architectures, "Architectures");
    if (list.size() != 1 || (list[0] != "x86_64" && list[0] != "arm64")) {
      throw validation(architectures->dump(), "architectures",
                       "Member must satisfy enum value set: [x86_64, arm64]");
    }
  }
  return update;
}

ConfigurationUpdate configuration_update(const json& body) {
  ConfigurationUpdate update;
  update.patch = config_patch(body);
  update.patch.architectures.reset();  // not a field of this operation (UpdateFunctionCode's)
  update.revision_id = text(body, "RevisionId");
  return update;
}

}  // namespace lambdad::control_api
