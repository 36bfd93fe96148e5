#include "lambdad/gateway/authorizer_config.hpp"

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/json_member.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

constexpr std::chrono::seconds kRestDefaultTtl{300};
constexpr long long kMaxTtl = 3600;

std::string string_member(const json& object, const char* key) {
  const json* value = json_member(object, key);
  return value && value->is_string() ? value->get<std::string>() : "";
}

/// `Identity.Headers` etc. as identity sources of one kind; false when not a list of strings.
bool add_sources(const json& identity, const char* key, IdentitySource::Kind kind,
                 std::vector<IdentitySource>& out) {
  const json* list = json_member(identity, key);
  if (!list) return true;
  if (!list->is_array()) return false;
  for (const json& item : *list) {
    if (!item.is_string() || item.get<std::string>().empty()) return false;
    out.push_back({kind, item.get<std::string>()});
  }
  return true;
}

/// Fills `config` from one `Authorizers` entry; "" on success, else why it cannot be used.
std::string read_authorizer(const json& spec, bool http_api, AuthorizerConfig& config) {
  // The scheduler takes ARNs too; a plain name lets it skip the lookup by ARN.
  try {
    auto target = parse_function_name(string_member(spec, "FunctionArn"));
    config.function = target.qualifier.empty() ? target.name : target.name + ":" + target.qualifier;
  } catch (const AwsError&) {
    return "its FunctionArn is not a function lambdad can resolve";
  }
  const json empty = json::object();
  const json* identity_ptr = json_member(spec, "Identity");
  const json& identity = identity_ptr && identity_ptr->is_object() ? *identity_ptr : empty;

  if (http_api) {
    const std::string version = string_member(spec, "AuthorizerPayloadFormatVersion");
    if (version != "1.0" && version != "2.0") {
      return "AuthorizerPayloadFormatVersion must be \"1.0\" or \"2.0\"";
    }
    config.format = version == "2.0" ? AuthorizerFormat::kHttp2 : AuthorizerFormat::kHttp1;
    const json* simple = json_member(spec, "EnableSimpleResponses");
    config.simple_responses = simple && simple->is_boolean() && simple->get<bool>() &&
                              config.format == AuthorizerFormat::kHttp2;
  } else {
    const std::string type = string_member(spec, "FunctionPayloadType");
    if (!type.empty() && type != "TOKEN" && type != "REQUEST") {
      return "FunctionPayloadType must be TOKEN or REQUEST";
    }
    config.format = type == "REQUEST" ? AuthorizerFormat::kRequest : AuthorizerFormat::kToken;
    config.ttl = kRestDefaultTtl;
  }

  if (config.format == AuthorizerFormat::kToken) {
    std::string header = string_member(identity, "Header");
    config.identity.push_back(
        {IdentitySource::Kind::kHeader, header.empty() ? "Authorization" : std::move(header)});
    if (std::string expression = string_member(identity, "ValidationExpression");
        !expression.empty()) {
      try {
        config.validation = std::make_shared<const std::regex>(expression);
      } catch (const std::regex_error&) {
        return "its ValidationExpression is not a valid regular expression";
      }
    }
  } else {
    using Kind = IdentitySource::Kind;
    const bool ok =
        add_sources(identity, "Headers", Kind::kHeader, config.identity) &&
        add_sources(identity, "QueryStrings", Kind::kQuery, config.identity) &&
        add_sources(identity, "StageVariables", Kind::kStageVariable, config.identity) &&
        add_sources(identity, "Context", Kind::kContext, config.identity);
    if (!ok) return "its Identity lists must hold names";
  }

  if (const json* ttl = json_member(identity, "ReauthorizeEvery")) {
    if (!ttl->is_number_integer() || ttl->get<long long>() < 0 || ttl->get<long long>() > kMaxTtl) {
      return "ReauthorizeEvery must be a whole number of seconds from 0 to 3600";
    }
    config.ttl = std::chrono::seconds(ttl->get<long long>());
  }
  // Results are cached under the identity sources' values: without any, nothing to key on.
  if (config.identity.empty()) config.ttl = std::chrono::seconds(0);
  return "";
}

}  // namespace

const AuthorizerConfig* ApiAuth::find(std::string_view name) const {
  for (const auto& authorizer : authorizers) {
    if (authorizer.name == name) return &authorizer;
  }
  return nullptr;
}

ApiAuth parse_api_auth(const std::string& api, bool http_api, const json& properties,
                       std::vector<std::string>& warnings) {
  ApiAuth out;
  const json* auth = json_member(properties, "Auth");
  if (!auth || !auth->is_object()) return out;
  out.default_authorizer = string_member(*auth, "DefaultAuthorizer");
  if (const json* preflight = json_member(*auth, "AddDefaultAuthorizerToCorsPreflight");
      preflight && preflight->is_boolean()) {
    out.default_on_preflight = preflight->get<bool>();
  }
  const json* list = json_member(*auth, "Authorizers");
  if (!list || !list->is_object()) return out;
  for (const auto& [name, spec] : list->items()) {
    // Cognito (UserPoolArn), JWT (JwtConfiguration) and AWS_IAM authorizers are not Lambda ones.
    if (!json_member(spec, "FunctionArn")) continue;
    AuthorizerConfig config{.name = name, .api = api};
    if (std::string why = read_authorizer(spec, http_api, config); !why.empty()) {
      warnings.push_back("api " + api + ": authorizer " + name + " cannot be used (" + why +
                         "): the routes it guards answer 500, as API Gateway does when an "
                         "authorizer is misconfigured");
      config.unusable = std::move(why);
    }
    out.authorizers.push_back(std::move(config));
  }
  return out;
}

AuthorizerConfig authorizer_from_openapi(const std::string& api, const openapi::Authorizer& spec) {
  AuthorizerConfig config{.name = spec.name, .api = api, .function = spec.function};
  using Format = openapi::Authorizer::Format;
  switch (spec.format) {
    case Format::kToken:
      config.format = AuthorizerFormat::kToken;
      break;
    case Format::kRequest:
      config.format = AuthorizerFormat::kRequest;
      break;
    case Format::kHttp1:
      config.format = AuthorizerFormat::kHttp1;
      break;
    case Format::kHttp2:
      config.format = AuthorizerFormat::kHttp2;
      break;
  }
  for (const auto& source : spec.identity) {
    using From = openapi::IdentitySource::Kind;
    using To = IdentitySource::Kind;
    To kind = To::kHeader;
    switch (source.kind) {
      case From::kHeader:
        kind = To::kHeader;
        break;
      case From::kQuery:
        kind = To::kQuery;
        break;
      case From::kStageVariable:
        kind = To::kStageVariable;
        break;
      case From::kContext:
        kind = To::kContext;
        break;
    }
    config.identity.push_back({kind, source.name});
  }
  config.ttl = spec.ttl;
  config.simple_responses = spec.simple_responses;
  config.unusable = spec.unusable;
  if (!spec.validation_expression.empty()) {
    try {
      config.validation = std::make_shared<const std::regex>(spec.validation_expression);
    } catch (const std::regex_error&) {
      config.unusable = "its identityValidationExpression is not a valid regular expression";
    }
  }
  return config;
}

const AuthorizerConfig* route_authorizer(const ApiAuth& auth, const json& event_properties) {
  std::string name = auth.default_authorizer;
  if (const json* event_auth = json_member(event_properties, "Auth")) {
    if (std::string named = string_member(*event_auth, "Authorizer"); !named.empty()) {
      name = std::move(named);
    }
  }
  if (name.empty() || name == "NONE" || name == "AWS_IAM") return nullptr;
  return auth.find(name);
}

const AuthorizerConfig* preflight_authorizer(const ApiAuth& auth) {
  if (!auth.default_on_preflight || auth.default_authorizer.empty()) return nullptr;
  return auth.find(auth.default_authorizer);
}

}  // namespace lambdad::gateway
