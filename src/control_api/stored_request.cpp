#include "lambdad/control_api/stored_request.hpp"

#include <charconv>

#include "body_fields.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/regex.hpp"
#include "lambdad/control_api/function_request.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;

/// AWS's constraint message with the value quoted, as these operations show it.
AwsError invalid(const std::string& value, std::string_view field, std::string_view rule) {
  return validation("'" + value + "'", field, rule);
}

std::string required(const json& body, const char* key, std::string_view field) {
  auto value = text(body, key);
  if (!value) throw validation("null", field, "Member must not be null");
  return *value;
}

/// A list of strings, empty when absent.
std::vector<std::string> list_field(const json& body, const char* key) {
  const json* value = member(body, key);
  return value ? string_list(*value, key) : std::vector<std::string>{};
}

void check_tag_key(const std::string& key) {
  if (key.empty() || key.size() > 128) {
    throw errors::invalid_parameter("Tag keys must be between 1 and 128 characters in length: " +
                                    key.substr(0, 160));
  }
  if (key.starts_with("aws:")) {
    throw errors::invalid_parameter("Tag keys starting with 'aws:' are reserved for AWS use: " +
                                    key);
  }
}

std::string layer_arn_pattern_error(std::string_view text) {
  return std::string(text.substr(0, 200));
}

}  // namespace

std::string tagged_function(std::string_view arn) {
  static const std::regex pattern(
      R"(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:function:([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?)");
  std::match_results<std::string_view::const_iterator> match;
  if (arn.size() > 256 || !std::regex_match(arn.begin(), arn.end(), match, pattern)) {
    throw invalid(std::string(arn.substr(0, 256)), "resource",
                  "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:"
                  "[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:"
                  "[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  }
  if (match[7].matched) {
    throw errors::invalid_parameter(
        "Tags on function aliases and versions are not supported. Please specify a function "
        "ARN.");
  }
  const std::string name = match[6].str();
  if (name.size() > 64) {
    throw invalid(name, "functionName", "Member must have length less than or equal to 64");
  }
  return name;
}

std::map<std::string, std::string> tag_request(const json& body) {
  const json* tags = member(body, "Tags");
  if (!tags) {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value null at 'tags' failed to satisfy "
                   "constraint: Member must not be null",
                   AwsError::Key::kmessage);
  }
  if (!tags->is_object()) throw wrong_type("Tags", "an object of strings");
  std::map<std::string, std::string> map;
  for (const auto& [key, value] : tags->items()) {
    if (!value.is_string()) throw wrong_type("Tags", "an object of strings");
    map[key] = value.get<std::string>();
  }
  if (map.empty()) throw errors::invalid_parameter("Tags must not be empty.");
  check_tags(map);
  return map;
}

void check_tags(const std::map<std::string, std::string>& tags) {
  for (const auto& [key, value] : tags) {
    check_tag_key(key);
    if (value.size() > 256) {
      throw errors::invalid_parameter("Tag values must be no longer than 256 characters: " + key);
    }
  }
  if (tags.size() > kMaxTags) {
    throw errors::invalid_parameter("Number of tags exceeds resource tag limit of " +
                                    std::to_string(kMaxTags) + ".");
  }
}

void check_tag_keys(const std::vector<std::string>& keys) {
  if (keys.empty()) {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
                   "constraint: Member must not be null",
                   AwsError::Key::kmessage);
  }
  if (keys.size() > kMaxTags) {
    throw errors::invalid_parameter("Number of tag keys exceeds the limit of " +
                                    std::to_string(kMaxTags) + ".");
  }
  for (const auto& key : keys) check_tag_key(key);
}

void check_statement_id(const std::string& sid) {
  static const std::regex pattern("[a-zA-Z0-9-_.]+");
  if (sid.empty() || sid.size() > 100 || !std::regex_match(sid, pattern)) {
    throw invalid(sid.substr(0, 100), "statementId",
                  "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+) and "
                  "have length between 1 and 100");
  }
}

PermissionRequest permission_request(const json& body, const std::string& resource_arn) {
  const std::string sid = required(body, "StatementId", "statementId");
  check_statement_id(sid);
  const std::string action = required(body, "Action", "action");
  static const std::regex action_pattern(R"((lambda:[*]|lambda:[a-zA-Z]+|[*]))");
  if (action.size() > 256 || !std::regex_match(action, action_pattern)) {
    throw invalid(action.substr(0, 256), "action",
                  "Member must satisfy regular expression pattern: "
                  "(lambda:[*]|lambda:[a-zA-Z]+|[*])");
  }
  const std::string principal = required(body, "Principal", "principal");
  static const std::regex principal_pattern(R"([^\s]+)");
  if (principal.size() > 256 || !std::regex_match(principal, principal_pattern)) {
    throw invalid(principal.substr(0, 256), "principal",
                  "Member must satisfy regular expression pattern: [^\\s]+");
  }
  static const std::regex account(R"(\d{12})");
  json principal_json;
  if (principal == "*") {
    principal_json = "*";
  } else if (std::regex_match(principal, account)) {
    principal_json = {{"AWS", "arn:aws:iam::" + principal + ":root"}};
  } else if (principal.starts_with("arn:")) {
    principal_json = {{"AWS", principal}};
  } else if (principal.find('.') != std::string::npos) {
    principal_json = {{"Service", principal}};
  } else {
    throw errors::invalid_parameter(
        "The provided principal was invalid. Please check the "
        "principal and try again.");
  }
  json condition = json::object();
  if (auto source_arn = text(body, "SourceArn")) {
    static const std::regex arn(
        R"(arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*))");
    if (source_arn->size() > 1024 || !std::regex_match(*source_arn, arn)) {
      throw invalid(source_arn->substr(0, 256), "sourceArn",
                    "Member must satisfy regular expression pattern: "
                    "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:"
                    "(\\d{12})?:(.*)");
    }
    condition["ArnLike"]["AWS:SourceArn"] = *source_arn;
  }
  if (auto source_account = text(body, "SourceAccount")) {
    if (!std::regex_match(*source_account, account)) {
      throw invalid(source_account->substr(0, 64), "sourceAccount",
                    "Member must satisfy regular expression pattern: \\d{12}");
    }
    condition["StringEquals"]["AWS:SourceAccount"] = *source_account;
  }
  if (auto token = text(body, "EventSourceToken")) {
    static const std::regex pattern("[a-zA-Z0-9._\\-]+");
    if (token->size() > 256 || !std::regex_match(*token, pattern)) {
      throw invalid(token->substr(0, 256), "eventSourceToken",
                    "Member must satisfy regular expression pattern: [a-zA-Z0-9._\\-]+");
    }
    condition["StringEquals"]["lambda:EventSourceToken"] = *token;
  }
  if (auto org = text(body, "PrincipalOrgID")) {
    static const std::regex pattern("o-[a-z0-9]{10,32}");
    if (org->size() > 34 || !std::regex_match(*org, pattern)) {
      throw invalid(org->substr(0, 64), "principalOrgID",
                    "Member must satisfy regular expression pattern: ^o-[a-z0-9]{10,32}$");
    }
    condition["StringEquals"]["aws:PrincipalOrgID"] = *org;
  }
  if (auto auth = text(body, "FunctionUrlAuthType")) {
    if (*auth != "NONE" && *auth != "AWS_IAM") {
      throw invalid(auth->substr(0, 64), "functionUrlAuthType",
                    "Member must satisfy enum value set: [NONE, AWS_IAM]");
    }
    condition["StringEquals"]["lambda:FunctionUrlAuthType"] = *auth;
  }
  PermissionRequest request;
  request.statement = {
      {"Sid", sid},       {"Effect", "Allow"},        {"Principal", principal_json},
      {"Action", action}, {"Resource", resource_arn},
  };
  if (!condition.empty()) request.statement["Condition"] = condition;
  request.revision_id = text(body, "RevisionId");
  return request;
}

std::string policy_document(const std::vector<json>& statements) {
  return json{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", statements}}.dump();
}

registry::EventInvokeConfig event_invoke_config_request(const json& body) {
  registry::EventInvokeConfig config;
  config.maximum_retry_attempts =
      number(body, "MaximumRetryAttempts", "maximumRetryAttempts", 0, 2);
  config.maximum_event_age_s =
      number(body, "MaximumEventAgeInSeconds", "maximumEventAgeInSeconds", 60, 21600);
  if (const json* destinations = member(body, "DestinationConfig")) {
    if (!destinations->is_object()) throw wrong_type("DestinationConfig", "an object");
    static const std::regex arn(
        R"(^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*))");
    const auto side = [&](const char* key, const char* field) -> std::optional<std::string> {
      const json* value = member(*destinations, key);
      if (!value) return std::nullopt;
      if (!value->is_object())
        throw wrong_type(std::string("DestinationConfig.") + key, "an object");
      auto destination = text(*value, "Destination");
      if (!destination) return std::string();  // {} clears it
      if (destination->size() > 350 || !std::regex_match(*destination, arn)) {
        throw invalid(destination->substr(0, 350), field,
                      "Member must satisfy regular expression pattern: "
                      "^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-"
                      "\\d{1})?:(\\d{12})?:(.*)");
      }
      return destination;
    };
    config.on_success = side("OnSuccess", "destinationConfig.onSuccess.destination");
    config.on_failure = side("OnFailure", "destinationConfig.onFailure.destination");
  }
  return config;
}

json event_invoke_config_response(const registry::EventInvokeConfig& config,
                                  const std::string& arn) {
  json body = registry::event_invoke_config_json(config);
  body["LastModified"] = static_cast<double>(config.last_modified_ms) / 1000.0;
  body["FunctionArn"] = arn;
  return body;
}

std::string layer_name(std::string_view text) {
  static const std::regex pattern(
      R"((arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]+))|([a-zA-Z0-9-_]+))");
  std::match_results<std::string_view::const_iterator> match;
  if (text.empty() || text.size() > 140 ||
      !std::regex_match(text.begin(), text.end(), match, pattern)) {
    throw invalid(layer_arn_pattern_error(text), "layerName",
                  "Member must satisfy regular expression pattern: "
                  "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|"
                  "[a-zA-Z0-9-_]+");
  }
  return match[2].matched ? match[2].str() : match[3].str();
}

long long layer_version_number(std::string_view text) {
  long long n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 1 || n > 1000000000) return 0;
  return n;
}

registry::PublishLayerRequest publish_layer_request(const json& body, std::string name) {
  registry::PublishLayerRequest request;
  request.name = std::move(name);
  const json* content = member(body, "Content");
  if (!content) {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value null at 'content' failed to satisfy "
                   "constraint: Member must not be null",
                   AwsError::Key::kmessage);
  }
  if (!content->is_object()) throw wrong_type("Content", "an object");
  request.zip = zip_file(*content);
  request.description = text(body, "Description").value_or("");
  if (request.description.size() > 256) {
    throw invalid(request.description.substr(0, 256), "description",
                  "Member must have length less than or equal to 256");
  }
  request.license_info = text(body, "LicenseInfo").value_or("");
  if (request.license_info.size() > 512) {
    throw invalid(request.license_info.substr(0, 512), "licenseInfo",
                  "Member must have length less than or equal to 512");
  }
  request.compatible_runtimes = list_field(body, "CompatibleRuntimes");
  if (request.compatible_runtimes.size() > 15) {
    throw invalid("[...]", "compatibleRuntimes",
                  "Member must have length less than or equal to 15");
  }
  request.compatible_architectures = list_field(body, "CompatibleArchitectures");
  if (request.compatible_architectures.size() > 2) {
    throw invalid("[...]", "compatibleArchitectures",
                  "Member must have length less than or equal to 2");
  }
  for (const auto& a : request.compatible_architectures) {
    if (a != "x86_64" && a != "arm64") {
      throw invalid(a, "compatibleArchitectures",
                    "Member must satisfy enum value set: [x86_64, arm64]");
    }
  }
  return request;
}

}  // namespace lambdad::control_api
