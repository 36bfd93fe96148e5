// What `Ref` and `Fn::GetAtt` give for the template's resources and for the ones SAM generates
// from them (MyFunctionRole, MyFunctionAliaslive, ServerlessRestApi, ...), as CloudFormation
// would: names, ARNs in lambdad's account and region, AWS-style URLs.
#include <cstdint>

#include "lambdad/common/regex.hpp"
#include "template_builder.hpp"

namespace lambdad::deploy {

namespace {

constexpr std::string_view kFunction = "AWS::Serverless::Function";
constexpr std::string_view kRestApi = "AWS::Serverless::Api";
constexpr std::string_view kHttpApi = "AWS::Serverless::HttpApi";

/// FNV-1a: the same template gives the same names on every machine and every run.
uint64_t stable_hash(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

/// `count` characters from `alphabet`, derived from seed.
std::string token(std::string_view seed, size_t count, std::string_view alphabet) {
  std::string out;
  uint64_t hash = stable_hash(seed);
  for (size_t i = 0; i < count; ++i) {
    if (i % 8 == 0 && i > 0) hash = stable_hash(std::string(seed) + std::to_string(i));
    out += alphabet[hash % alphabet.size()];
    hash /= alphabet.size();
  }
  return out;
}

constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz0123456789";

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// The Ref (attribute "") / GetAtt values of one resource type.
struct TypeInfo {
  std::string_view name_property;  ///< the property that names it, if any
  size_t max_length = 128;         ///< of a generated physical name
  bool lower_case = false;         ///< S3 bucket names
};

const std::map<std::string, TypeInfo, std::less<>>& type_infos() {
  static const std::map<std::string, TypeInfo, std::less<>> kTypes = {
      {"AWS::SQS::Queue", {"QueueName", 80}},
      {"AWS::SNS::Topic", {"TopicName", 256}},
      {"AWS::Events::EventBus", {"Name", 256}},
      {"AWS::Events::Rule", {"Name", 64}},
      {"AWS::Logs::LogGroup", {"LogGroupName", 512}},
      {"AWS::DynamoDB::Table", {"TableName", 255}},
      {"AWS::DynamoDB::GlobalTable", {"TableName", 255}},
      {"AWS::Serverless::SimpleTable", {"TableName", 255}},
      {"AWS::S3::Bucket", {"BucketName", 63, true}},
      {"AWS::IAM::Role", {"RoleName", 64}},
      {"AWS::IAM::ManagedPolicy", {"ManagedPolicyName", 128}},
      {"AWS::IAM::User", {"UserName", 64}},
      {"AWS::StepFunctions::StateMachine", {"StateMachineName", 80}},
      {"AWS::Serverless::StateMachine", {"Name", 80}},
      {"AWS::Kinesis::Stream", {"Name", 128}},
      {"AWS::SSM::Parameter", {"Name", 1011}},
      {"AWS::SecretsManager::Secret", {"Name", 512}},
      {"AWS::Lambda::Function", {"FunctionName", 64}},
      {"AWS::Serverless::LayerVersion", {"LayerName", 140}},
      {"AWS::Lambda::LayerVersion", {"LayerName", 140}},
      {"AWS::Cognito::UserPool", {"UserPoolName", 128}},
      {"AWS::KMS::Key", {"", 36, true}},
      {"AWS::Scheduler::Schedule", {"Name", 64}},
      {"AWS::Scheduler::ScheduleGroup", {"Name", 64}},
      {"AWS::ECR::Repository", {"RepositoryName", 256, true}},
  };
  return kTypes;
}

}  // namespace

std::string TemplateBuilder::physical_name(const std::string& logical_id, size_t max_length,
                                           bool lower_case) const {
  // CloudFormation's rule: <stack>-<LogicalId>-<random suffix>, the first two cut to fit.
  const std::string suffix = token(stack_name_ + "/" + logical_id, 12, kUpper);
  std::string stack = stack_name_, id = logical_id;
  const size_t room = max_length > suffix.size() + 2 ? max_length - suffix.size() - 2 : 0;
  while (stack.size() + id.size() > room && (stack.size() > 1 || id.size() > 1)) {
    (stack.size() >= id.size() ? stack : id).pop_back();
  }
  std::string name = stack + "-" + id + "-" + suffix;
  return lower_case ? lower(name) : name;
}

std::optional<std::string> TemplateBuilder::name_property(const std::string& logical_id,
                                                          std::string_view key) {
  const Resource& resource = resources_.at(logical_id);
  const Node* properties = resource.node->find("Properties");
  const Node* name = properties && properties->is_map() ? properties->find(key) : nullptr;
  if (!name || !naming_.insert(logical_id).second) return std::nullopt;
  auto value = resolver_->resolve(*name, "resource '" + logical_id + "'");
  naming_.erase(logical_id);
  if (!value || !value->is_scalar() || value->unresolved) return std::nullopt;
  return value->text;
}

std::string TemplateBuilder::arn(std::string_view service, std::string_view resource,
                                 bool regional) const {
  return "arn:" + partition_ + ":" + std::string(service) + ":" + (regional ? region_ : "") + ":" +
         account_ + ":" + std::string(resource);
}

std::string TemplateBuilder::function_arn_of(const std::string& logical_id) {
  return arn("lambda", "function:" + function_name(logical_id));
}

std::optional<ResourceValue> TemplateBuilder::reference(const std::string& name,
                                                        const std::string* attribute) {
  if (resources_.contains(name)) {
    ResourceValue out{.logical_id = name};
    out.value = attribute ? attribute_value(name, *attribute) : ref_value(name);
    return out;
  }
  if (!attribute) {
    // SAM's `Ref: MyFunction.Alias`, `Ref: MyApi.Stage`, ...
    const size_t dot = name.find('.');
    if (dot != std::string::npos && resources_.contains(name.substr(0, dot))) {
      auto value = dotted_ref(name.substr(0, dot), name.substr(dot + 1));
      if (!value) return std::nullopt;
      return ResourceValue{.value = value};
    }
  }
  return generated(name, attribute);
}

std::optional<std::string> TemplateBuilder::dotted_ref(const std::string& logical_id,
                                                       const std::string& what) {
  const std::string& type = resources_.at(logical_id).type;
  if (type == kFunction && what == "Alias") {
    auto alias = name_property(logical_id, "AutoPublishAlias");
    return alias ? function_arn_of(logical_id) + ":" + *alias : std::optional<std::string>();
  }
  if (type == kFunction && what == "Version") return function_arn_of(logical_id) + ":1";
  if ((type == kRestApi || type == kHttpApi) && what == "Stage") return stage_name(logical_id);
  if ((type == kRestApi || type == kHttpApi) && what == "Deployment") {
    return token("deployment/" + logical_id, 6, kLower);
  }
  if ((type == kRestApi || type == kHttpApi) && what == "DomainName") {
    return token("domain/" + logical_id, 10, kLower);
  }
  return std::nullopt;
}

std::optional<std::string> TemplateBuilder::ref_value(const std::string& logical_id) {
  const std::string& type = resources_.at(logical_id).type;
  if (type == kFunction) return function_name(logical_id);
  // lambdad's own id of an API, usage plan or key is its logical id: routes, usage plans and the
  // control API refer to them by it.
  if (type == kRestApi || type == kHttpApi || type.starts_with("AWS::ApiGateway")) {
    return logical_id;
  }
  auto info = type_infos().find(type);
  if (info == type_infos().end()) {
    if (type.starts_with("AWS::Serverless::")) return logical_id;
    return physical_name(logical_id, 128, false);
  }
  const TypeInfo& i = info->second;
  const std::string name = physical(logical_id, i.name_property, i.max_length, i.lower_case);
  if (type == "AWS::SQS::Queue")
    return "https://sqs." + region_ + ".amazonaws.com/" + account_ + "/" + name;
  if (type == "AWS::SNS::Topic") return arn("sns", name);
  if (type.ends_with("StateMachine")) return arn("states", "stateMachine:" + name);
  if (type.ends_with("LayerVersion")) return arn("lambda", "layer:" + name + ":1");
  if (type == "AWS::SecretsManager::Secret") {
    return arn("secretsmanager", "secret:" + name + "-" + token(name, 6, kUpper));
  }
  if (type == "AWS::Cognito::UserPool") return region_ + "_" + token(name, 9, kUpper);
  if (type == "AWS::KMS::Key") return key_id(logical_id);
  return name;
}

std::string TemplateBuilder::physical(const std::string& logical_id, std::string_view property,
                                      size_t max_length, bool lower_case) {
  std::optional<std::string> given;
  if (!property.empty()) given = name_property(logical_id, property);
  if (given) return *given;
  std::string name = physical_name(logical_id, max_length, lower_case);
  const std::string& type = resources_.at(logical_id).type;
  if (type == "AWS::SQS::Queue") {
    const Node* properties = resources_.at(logical_id).node->find("Properties");
    const Node* fifo = properties && properties->is_map() ? properties->find("FifoQueue") : nullptr;
    if (fifo && to_bool(*fifo).value_or(false)) name = name.substr(0, 75) + ".fifo";
  }
  return name;
}

std::string TemplateBuilder::key_id(const std::string& logical_id) const {
  const std::string hex = token("key/" + logical_id, 32, "0123456789abcdef");
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::optional<std::string> TemplateBuilder::attribute_value(const std::string& logical_id,
                                                            const std::string& attribute) {
  const std::string& type = resources_.at(logical_id).type;
  if (type == kFunction || type == "AWS::Lambda::Function") {
    if (attribute == "Arn") return function_arn_of(logical_id);
    return std::nullopt;
  }
  if (type == kRestApi || type == "AWS::ApiGateway::RestApi") {
    if (attribute == "RootResourceId") return token("root/" + logical_id, 10, kLower);
    return std::nullopt;
  }
  if (type == kHttpApi || type == "AWS::ApiGatewayV2::Api") {
    if (attribute == "ApiEndpoint") return api_endpoint(logical_id);
    if (attribute == "ApiId") return logical_id;
    return std::nullopt;
  }
  auto info = type_infos().find(type);
  if (info == type_infos().end()) return std::nullopt;
  const TypeInfo& i = info->second;
  const std::string name = physical(logical_id, i.name_property, i.max_length, i.lower_case);
  if (type == "AWS::SQS::Queue") {
    if (attribute == "Arn") return arn("sqs", name);
    if (attribute == "QueueName") return name;
    if (attribute == "QueueUrl") return ref_value(logical_id);
  } else if (type == "AWS::SNS::Topic") {
    if (attribute == "TopicArn") return arn("sns", name);
    if (attribute == "TopicName") return name;
  } else if (type == "AWS::Events::EventBus") {
    if (attribute == "Arn") return arn("events", "event-bus/" + name);
    if (attribute == "Name") return name;
  } else if (type == "AWS::Events::Rule") {
    if (attribute == "Arn") return arn("events", "rule/" + name);
  } else if (type == "AWS::Logs::LogGroup") {
    if (attribute == "Arn") return arn("logs", "log-group:" + name + ":*");
  } else if (type.ends_with("Table")) {
    if (attribute == "Arn") return arn("dynamodb", "table/" + name);
    if (attribute == "StreamArn") {
      return arn("dynamodb", "table/" + name + "/stream/1970-01-01T00:00:00.000");
    }
  } else if (type == "AWS::S3::Bucket") {
    if (attribute == "Arn") return "arn:" + partition_ + ":s3:::" + name;
    if (attribute == "DomainName") return name + ".s3.amazonaws.com";
    if (attribute == "RegionalDomainName") return name + ".s3." + region_ + ".amazonaws.com";
    if (attribute == "DualStackDomainName") {
      return name + ".s3.dualstack." + region_ + ".amazonaws.com";
    }
    if (attribute == "WebsiteURL")
      return "http://" + name + ".s3-website-" + region_ + ".amazonaws.com";
  } else if (type == "AWS::IAM::Role" || type == "AWS::IAM::User") {
    const bool role = type == "AWS::IAM::Role";
    if (attribute == "Arn") return arn("iam", (role ? "role/" : "user/") + name, false);
    if (attribute == "RoleId") return "AROA" + token("role/" + logical_id, 17, kUpper);
  } else if (type == "AWS::IAM::ManagedPolicy") {
    if (attribute == "PolicyArn") return arn("iam", "policy/" + name, false);
  } else if (type.ends_with("StateMachine")) {
    if (attribute == "Arn") return arn("states", "stateMachine:" + name);
    if (attribute == "Name") return name;
  } else if (type == "AWS::Kinesis::Stream") {
    if (attribute == "Arn") return arn("kinesis", "stream/" + name);
  } else if (type.ends_with("LayerVersion")) {
    if (attribute == "LayerVersionArn") return ref_value(logical_id);
  } else if (type == "AWS::SecretsManager::Secret") {
    if (attribute == "Id") return ref_value(logical_id);
  } else if (type == "AWS::SSM::Parameter") {
    if (attribute == "Value") return std::nullopt;
  } else if (type == "AWS::Cognito::UserPool") {
    const std::string id = *ref_value(logical_id);
    if (attribute == "Arn") return arn("cognito-idp", "userpool/" + id);
    if (attribute == "ProviderName") return "cognito-idp." + region_ + ".amazonaws.com/" + id;
    if (attribute == "ProviderURL")
      return "https://cognito-idp." + region_ + ".amazonaws.com/" + id;
    if (attribute == "UserPoolId") return id;
  } else if (type == "AWS::KMS::Key") {
    if (attribute == "Arn") return arn("kms", "key/" + key_id(logical_id));
    if (attribute == "KeyId") return key_id(logical_id);
  } else if (type == "AWS::Scheduler::Schedule" || type == "AWS::Scheduler::ScheduleGroup") {
    const bool group = type == "AWS::Scheduler::ScheduleGroup";
    if (attribute == "Arn")
      return arn("scheduler", (group ? "schedule-group/" : "schedule/default/") + name);
  } else if (type == "AWS::ECR::Repository") {
    if (attribute == "Arn") return arn("ecr", "repository/" + name);
    if (attribute == "RepositoryUri") {
      return account_ + ".dkr.ecr." + region_ + ".amazonaws.com/" + name;
    }
  }
  return std::nullopt;
}

std::string TemplateBuilder::api_endpoint(const std::string& logical_id) const {
  return "https://" + lower(token("api/" + logical_id, 10, kLower)) + ".execute-api." + region_ +
         ".amazonaws.com";
}

/// The resources SAM adds when it transforms the template; names as in SAM's docs
/// ("Generated AWS CloudFormation resources").
std::optional<ResourceValue> TemplateBuilder::generated(const std::string& name,
                                                        const std::string* attribute) {
  static const std::regex kVersionHash("[0-9a-f]{10}");
  if (name.size() < 2) return std::nullopt;
  auto value = [](std::optional<std::string> text) { return ResourceValue{.value = text}; };
  // The functions whose logical id starts the name: one lookup per prefix, not a scan of every
  // resource (a 1,000-function template refers to <Fn>Role a thousand times).
  for (size_t length = name.size() - 1; length > 0; --length) {
    const std::string logical_id = name.substr(0, length);
    auto found = resources_.find(logical_id);
    if (found == resources_.end()) continue;
    const Resource& resource = found->second;
    if (resource.type == kFunction) {
      const std::string rest = name.substr(logical_id.size());
      const Node* properties = resource.node->find("Properties");
      const bool has_role = properties && properties->is_map() && properties->find("Role");
      if (rest == "Role" && !has_role) {
        const std::string role = physical_name(name, 64, false);
        if (!attribute) return value(role);
        if (*attribute == "Arn") return value(arn("iam", "role/" + role, false));
        if (*attribute == "RoleId") return value("AROA" + token("role/" + name, 17, kUpper));
        return value(std::nullopt);
      }
      if (rest.starts_with("Alias") && rest.size() > 5) {
        const std::string alias_arn = function_arn_of(logical_id) + ":" + rest.substr(5);
        if (!attribute) return value(alias_arn);
        return value(std::nullopt);
      }
      if (rest.starts_with("Version") && std::regex_match(rest.substr(7), kVersionHash)) {
        if (!attribute) return value(function_arn_of(logical_id) + ":1");
        if (*attribute == "Version") return value("1");
        return value(std::nullopt);
      }
      if (rest == "Url") {
        if (!attribute) return value(function_arn_of(logical_id));
        if (*attribute == "FunctionArn") return value(function_arn_of(logical_id));
        if (*attribute == "FunctionUrl") {
          return value("https://" + token("url/" + logical_id, 32, kLower) + ".lambda-url." +
                       region_ + ".on.aws/");
        }
        return value(std::nullopt);
      }
    }
  }
  for (const auto& [api, type] : apis_) {
    if (!name.starts_with(api)) continue;
    const std::string rest = name.substr(api.size());
    if (rest.empty() && (api == "ServerlessRestApi" || api == "ServerlessHttpApi")) {
      if (!attribute) return ResourceValue{.value = api, .logical_id = ""};
      if (*attribute == "RootResourceId") return value(token("root/" + api, 10, kLower));
      if (*attribute == "ApiEndpoint") return value(api_endpoint(api));
      return value(std::nullopt);
    }
    const std::string stage =
        resources_.contains(api) ? stage_name(api) : (type == kRestApi ? "Prod" : "$default");
    if (rest == "ApiGatewayDefaultStage" || (rest.ends_with("Stage") && rest.size() > 5)) {
      return value(attribute ? std::nullopt : std::optional(stage));
    }
    if (rest.starts_with("Deployment") && std::regex_match(rest.substr(10), kVersionHash)) {
      return value(attribute ? std::nullopt : std::optional(token("deployment/" + api, 6, kLower)));
    }
    if (rest == "ApiKey" || rest == "UsagePlan" || rest == "UsagePlanKey" || rest == "DomainName" ||
        rest == "BasePathMapping") {
      return value(attribute ? std::nullopt : std::optional(token(rest + "/" + api, 10, kLower)));
    }
  }
  return std::nullopt;
}

/// The template's APIs and the implicit ones SAM creates for Api / HttpApi events without
/// RestApiId / ApiId, logical id -> type.
void TemplateBuilder::find_apis() {
  auto& apis = apis_;
  static const std::vector<NodeEntry> kNone;
  bool rest = false, http = false;
  for (const auto& logical_id : order_) {
    const Resource& resource = resources_.at(logical_id);
    if (resource.type == kRestApi || resource.type == kHttpApi) {
      apis.emplace_back(logical_id, resource.type);
    }
    if (resource.type != kFunction) continue;
    const Node* properties = resource.node->find("Properties");
    const Node* events = properties && properties->is_map() ? properties->find("Events") : nullptr;
    for (const auto& entry : events && events->is_map() ? events->entries : kNone) {
      const Node* type = entry.value.is_map() ? entry.value.find("Type") : nullptr;
      const Node* props = entry.value.is_map() ? entry.value.find("Properties") : nullptr;
      if (!type || !type->is_scalar()) continue;
      const bool linked =
          props && props->is_map() && (props->find("RestApiId") || props->find("ApiId"));
      rest = rest || (type->text == "Api" && !linked);
      http = http || (type->text == "HttpApi" && !linked);
    }
  }
  if (rest) apis.emplace_back("ServerlessRestApi", std::string(kRestApi));
  if (http) apis.emplace_back("ServerlessHttpApi", std::string(kHttpApi));
}

}  // namespace lambdad::deploy
