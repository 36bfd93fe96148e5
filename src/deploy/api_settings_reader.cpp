#include "api_settings_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/json_member.hpp"
#include "lambdad/common/template_values.hpp"

namespace lambdad::deploy {

namespace {

using json = nlohmann::json;

constexpr std::chrono::seconds kRestDefaultTtl{300};
constexpr long long kMinTimeoutMillis = 50;
constexpr std::string_view kHeaderSource = "$request.header.";
constexpr std::string_view kQuerySource = "$request.querystring.";

/// A scalar property as text (the loader keeps YAML scalars typed: `1.0` is a number).
std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d))) {
      return std::to_string(static_cast<long long>(d)) + ".0";
    }
  }
  if (value.is_null()) return "";
  return value.dump();
}

std::string string_member(const json& object, const char* key) {
  const json* value = json_member(object, key);
  return value && value->is_string() ? value->get<std::string>() : "";
}

// --- stage ----------------------------------------------------------------------------------

/// `Variables` (REST) / `StageVariables` (HTTP API): an object of scalars.
std::map<std::string, std::string> stage_variables(const json& properties, const char* key) {
  std::map<std::string, std::string> out;
  const json& variables = json_value(properties, key);
  if (!variables.is_object()) return out;
  for (const auto& [name, value] : variables.items()) out[name] = scalar_text(value);
  return out;
}

std::vector<std::string> binary_media_types(const json& properties) {
  std::vector<std::string> out;
  const json& types = json_value(properties, "BinaryMediaTypes");
  if (!types.is_array()) return out;
  for (const auto& item : types) {
    std::string type = scalar_text(item);
    // SAM writes `/` as `~1` (a JSON-pointer escape), e.g. image~1png.
    for (size_t at; (at = type.find("~1")) != std::string::npos;) type.replace(at, 2, "/");
    out.push_back(std::move(type));
  }
  return out;
}

// --- CORS -----------------------------------------------------------------------------------

/// `'value'` → `value` (SAM writes REST CORS values as header-value literals); other text as is.
std::string sam_unquote(std::string_view value) {
  value = trim_space(value);
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
    value = value.substr(1, value.size() - 2);
  }
  return std::string(value);
}

/// A CORS scalar as text, SAM's quotes removed; "" for null, objects and arrays.
std::string cors_scalar(const json& value) {
  if (value.is_string()) return sam_unquote(value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  return "";
}

/// A list property: an array of scalars, or one comma-separated string (`'GET,POST'`).
std::vector<std::string> cors_list(const json& object, const char* key) {
  std::vector<std::string> out;
  const json* value = json_member(object, key);
  if (!value) return out;
  auto add = [&](std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      if (comma == std::string_view::npos) comma = text.size();
      std::string_view item = trim_space(text.substr(start, comma - start));
      if (!item.empty()) out.emplace_back(item);
      start = comma + 1;
    }
  };
  if (value->is_array()) {
    for (const auto& item : *value) add(cors_scalar(item));
  } else {
    add(cors_scalar(*value));
  }
  return out;
}

bool cors_flag(const json& object, const char* key) {
  const json* value = json_member(object, key);
  if (!value) return false;
  if (value->is_boolean()) return value->get<bool>();
  return ascii_lower(cors_scalar(*value)) == "true";
}

/// REST `Cors`: a string (the AllowOrigin) or an object. nullopt when absent or unusable.
std::optional<api::Cors> rest_cors(const json& properties) {
  const json* given = json_member(properties, "Cors");
  if (!given) return std::nullopt;
  api::Cors cors;
  if (given->is_string()) {
    cors.allow_origins.push_back(cors_scalar(*given));
    return cors;
  }
  if (!given->is_object()) return std::nullopt;
  const std::string origin = cors_scalar(json_value(*given, "AllowOrigin"));
  if (origin.empty()) return std::nullopt;  // SAM requires AllowOrigin
  cors.allow_origins.push_back(origin);
  // REST values are header values, written as one string: kept whole.
  if (auto methods = cors_scalar(json_value(*given, "AllowMethods")); !methods.empty()) {
    cors.allow_methods.push_back(methods);
  }
  if (auto headers = cors_scalar(json_value(*given, "AllowHeaders")); !headers.empty()) {
    cors.allow_headers.push_back(headers);
  }
  cors.max_age = cors_scalar(json_value(*given, "MaxAge"));
  cors.allow_credentials = cors_flag(*given, "AllowCredentials");
  return cors;
}

/// HTTP API `CorsConfiguration`: `true` (every origin, method and header) or an object.
std::optional<api::Cors> http_cors(const json& properties) {
  const json* given = json_member(properties, "CorsConfiguration");
  if (!given) return std::nullopt;
  api::Cors cors;
  if (given->is_boolean() || given->is_string()) {
    if (ascii_lower(cors_scalar(*given)) != "true") return std::nullopt;
    cors.allow_origins = {"*"};
    cors.allow_methods = {"*"};
    cors.allow_headers = {"*"};
    return cors;
  }
  if (!given->is_object()) return std::nullopt;
  cors.allow_origins = cors_list(*given, "AllowOrigins");
  cors.allow_methods = cors_list(*given, "AllowMethods");
  cors.allow_headers = cors_list(*given, "AllowHeaders");
  cors.expose_headers = cors_list(*given, "ExposeHeaders");
  cors.max_age = cors_scalar(json_value(*given, "MaxAge"));
  cors.allow_credentials = cors_flag(*given, "AllowCredentials");
  return cors;
}

// --- throttles and quotas -------------------------------------------------------------------

/// `{BurstLimit, RateLimit}` of usage plans.
api::Throttle plan_throttle(const json& settings) {
  api::Throttle out;
  if (auto rate = number_of(json_value(settings, "RateLimit")); rate && *rate >= 0) out.rate = rate;
  if (auto burst = number_of(json_value(settings, "BurstLimit")); burst && *burst >= 0) {
    out.burst = static_cast<long long>(std::floor(*burst));
  }
  return out;
}

/// `ThrottlingRateLimit` / `ThrottlingBurstLimit` of stage settings: -1 (or below 0) is unset.
api::Throttle stage_throttle(const json& settings) {
  api::Throttle out;
  if (auto rate = number_of(json_value(settings, "ThrottlingRateLimit")); rate && *rate >= 0) {
    out.rate = rate;
  }
  if (auto burst = number_of(json_value(settings, "ThrottlingBurstLimit")); burst && *burst >= 0) {
    out.burst = static_cast<long long>(std::floor(*burst));
  }
  return out;
}

/// `{Limit, Period, Offset}`; nullopt when Limit or Period is missing.
std::optional<api::Quota> plan_quota(const json& settings) {
  const auto limit = number_of(json_value(settings, "Limit"));
  const auto period = api::parse_quota_period(text_of(json_value(settings, "Period")));
  if (!limit || *limit < 0 || !period) return std::nullopt;
  const auto offset = number_of(json_value(settings, "Offset"));
  return api::Quota{static_cast<long long>(*limit), *period,
                    offset && *offset > 0 ? static_cast<long long>(*offset) : 0};
}

/// `/~1pets~1{id}` → `/pets/{id}` (`~0` → `~`); an unescaped path stays as it is.
std::string decode_resource_path(std::string_view path) {
  // CloudFormation writes the root `/` then the path with its slashes escaped: /~1pets~1{id}.
  if (path.starts_with("/~1")) path.remove_prefix(1);
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '~' && i + 1 < path.size() && (path[i + 1] == '1' || path[i + 1] == '0')) {
      out.push_back(path[++i] == '1' ? '/' : '~');
    } else {
      out.push_back(path[i]);
    }
  }
  return out;
}

std::vector<api::MethodSetting> method_settings(const json& properties) {
  std::vector<api::MethodSetting> out;
  const json& settings = json_value(properties, "MethodSettings");
  if (!settings.is_array()) return out;
  for (const auto& entry : settings) {
    api::MethodSetting setting{decode_resource_path(text_of(json_value(entry, "ResourcePath"))),
                               ascii_upper(text_of(json_value(entry, "HttpMethod"))),
                               stage_throttle(entry)};
    if (!setting.throttle.empty()) out.push_back(std::move(setting));
  }
  return out;
}

// --- authorizers ----------------------------------------------------------------------------

/// `Identity.Headers` etc. as identity sources of one kind; false when not a list of names.
bool add_sources(const json& identity, const char* key, api::IdentitySource::Kind kind,
                 std::vector<api::IdentitySource>& out) {
  const json* list = json_member(identity, key);
  if (!list) return true;
  if (!list->is_array()) return false;
  for (const json& item : *list) {
    if (!item.is_string() || item.get<std::string>().empty()) return false;
    out.push_back({kind, item.get<std::string>()});
  }
  return true;
}

/// One `Authorizers` entry with a FunctionArn; "" on success, else why it cannot be used.
std::string lambda_authorizer(const json& spec, bool http_api, api::LambdaAuthorizer& out) {
  using Format = api::LambdaAuthorizer::Format;
  // The scheduler takes ARNs too; a plain name lets it skip the lookup by ARN.
  try {
    auto target = parse_function_name(string_member(spec, "FunctionArn"));
    out.function = target.qualifier.empty() ? target.name : target.name + ":" + target.qualifier;
  } catch (const AwsError&) {
    return "its FunctionArn is not a function lambdad can resolve";
  }
  const json& identity = json_value(spec, "Identity");
  if (http_api) {
    const std::string version = string_member(spec, "AuthorizerPayloadFormatVersion");
    if (version != "1.0" && version != "2.0") {
      return "AuthorizerPayloadFormatVersion must be \"1.0\" or \"2.0\"";
    }
    out.format = version == "2.0" ? Format::kHttp2 : Format::kHttp1;
    const json* simple = json_member(spec, "EnableSimpleResponses");
    out.simple_responses =
        simple && simple->is_boolean() && simple->get<bool>() && out.format == Format::kHttp2;
  } else {
    const std::string type = string_member(spec, "FunctionPayloadType");
    if (!type.empty() && type != "TOKEN" && type != "REQUEST") {
      return "FunctionPayloadType must be TOKEN or REQUEST";
    }
    out.format = type == "REQUEST" ? Format::kRequest : Format::kToken;
    out.ttl = kRestDefaultTtl;
  }
  if (out.format == Format::kToken) {
    std::string header = string_member(identity, "Header");
    out.identity.push_back(
        {api::IdentitySource::Kind::kHeader, header.empty() ? "Authorization" : std::move(header)});
    out.validation_expression = string_member(identity, "ValidationExpression");
  } else {
    using Kind = api::IdentitySource::Kind;
    const bool ok = add_sources(identity, "Headers", Kind::kHeader, out.identity) &&
                    add_sources(identity, "QueryStrings", Kind::kQuery, out.identity) &&
                    add_sources(identity, "StageVariables", Kind::kStageVariable, out.identity) &&
                    add_sources(identity, "Context", Kind::kContext, out.identity);
    if (!ok) return "its Identity lists must hold names";
  }
  if (auto ttl = number_of(json_value(identity, "ReauthorizeEvery"))) {
    out.ttl = std::chrono::seconds(static_cast<long long>(*ttl));
  }
  // Results are cached under the identity sources' values: without any, nothing to key on.
  if (out.identity.empty()) out.ttl = std::chrono::seconds(0);
  return "";
}

/// JwtConfiguration's keys are `issuer` / `audience` in SAM's docs and `Issuer` / `Audience` in
/// CloudFormation's: either.
const json& jwt_value(const json& config, const char* lower, const char* upper_case) {
  const json& value = json_value(config, lower);
  return value.is_null() ? json_value(config, upper_case) : value;
}

api::JwtAuthorizer jwt_authorizer(const std::string& name, const json& spec) {
  const json& config = json_value(spec, "JwtConfiguration");
  api::JwtAuthorizer out{.name = name};
  out.issuer = text_of(jwt_value(config, "issuer", "Issuer"));
  out.audiences = strings_of(jwt_value(config, "audience", "Audience"));
  out.scopes = strings_of(json_value(spec, "AuthorizationScopes"));
  const std::string source = text_of(json_value(spec, "IdentitySource"));
  if (source.starts_with(kQuerySource)) {
    out.from_header = false;
    out.source = source.substr(kQuerySource.size());
  } else {
    out.source =
        source.starts_with(kHeaderSource) ? source.substr(kHeaderSource.size()) : "Authorization";
  }
  return out;
}

/// The line of `Auth.Authorizers.<name>` in the checked properties.
int authorizer_line(const Node& properties, const std::string& name) {
  const Node* auth = properties.find("Auth");
  const Node* list = auth && auth->is_map() ? auth->find("Authorizers") : nullptr;
  const Node* spec = list && list->is_map() ? list->find(name) : nullptr;
  return spec ? spec->line : properties.line;
}

api::Auth read_auth(const Node& node, const json& properties, bool rest, const std::string& who,
                    LoadContext& ctx) {
  api::Auth out;
  const json& auth = json_value(properties, "Auth");
  if (!auth.is_object()) return out;
  out.default_authorizer = string_member(auth, "DefaultAuthorizer");
  out.default_on_preflight =
      flag_of(json_value(auth, "AddDefaultAuthorizerToCorsPreflight")).value_or(true);
  out.api_key_required = flag_of(json_value(auth, "ApiKeyRequired")).value_or(false);
  out.api_key_on_preflight =
      flag_of(json_value(auth, "AddApiKeyRequiredToCorsPreflight")).value_or(true);
  const json& plan = json_value(auth, "UsagePlan");
  if (const std::string create = text_of(json_value(plan, "CreateUsagePlan"));
      rest && (create == "PER_API" || create == "SHARED")) {
    out.usage_plan = api::SamUsagePlan{.shared = create == "SHARED",
                                       .throttle = plan_throttle(json_value(plan, "Throttle")),
                                       .quota = plan_quota(json_value(plan, "Quota"))};
  }
  const json& authorizers = json_value(auth, "Authorizers");
  if (!authorizers.is_object()) return out;
  for (const auto& [name, spec] : authorizers.items()) {
    if (json_member(spec, "FunctionArn")) {
      api::LambdaAuthorizer authorizer{.name = name};
      if (std::string why = lambda_authorizer(spec, !rest, authorizer); !why.empty()) {
        ctx.warning(authorizer_line(node, name), who,
                    "authorizer " + name + " cannot be used (" + why +
                        "): the routes it guards answer 500, as API Gateway does when an "
                        "authorizer is misconfigured");
        authorizer.unusable = std::move(why);
      }
      out.lambda_authorizers.push_back(std::move(authorizer));
    } else if (!rest && json_value(spec, "JwtConfiguration").is_object()) {
      out.jwt_authorizers.push_back(jwt_authorizer(name, spec));
    } else {
      out.other_authorizers.push_back(name);  // Cognito: not enforced (api_auth.cpp warns)
    }
  }
  return out;
}

}  // namespace

api::ApiSettings read_api_settings(const Node& properties, const json& resolved, bool rest,
                                   const std::string& who, LoadContext& ctx) {
  api::ApiSettings out;
  out.stage_variables = stage_variables(resolved, rest ? "Variables" : "StageVariables");
  if (rest) out.binary_media_types = binary_media_types(resolved);
  out.cors = rest ? rest_cors(resolved) : http_cors(resolved);
  out.auth = read_auth(properties, resolved, rest, who, ctx);
  out.api_key_source = scalar_text(json_value(resolved, "ApiKeySourceType"));
  if (rest) {
    out.method_settings = method_settings(resolved);
  } else {
    out.default_route_throttle = stage_throttle(json_value(resolved, "DefaultRouteSettings"));
    const json& routes = json_value(resolved, "RouteSettings");
    if (!routes.is_object()) return out;
    for (const auto& [route_key, settings] : routes.items()) {
      if (auto throttle = stage_throttle(settings); !throttle.empty()) {
        out.route_throttles[route_key] = throttle;
      }
    }
  }
  return out;
}

api::EventRoute read_event_route(const json& properties, bool rest) {
  api::EventRoute out;
  out.api = text_of(json_value(properties, rest ? "RestApiId" : "ApiId"));
  const json* method = json_member(properties, "Method");
  out.method = method ? ascii_upper(scalar_text(*method)) : "ANY";
  const json* path = json_member(properties, "Path");
  out.path = path ? scalar_text(*path) : "$default";
  out.payload_v2 = !rest && scalar_text(json_value(properties, "PayloadFormatVersion")) != "1.0";
  if (const json* timeout = json_member(properties, "TimeoutInMillis")) {
    std::optional<long long> millis;
    if (timeout->is_number_integer()) {
      millis = timeout->get<long long>();
    } else {
      try {
        millis = std::stoll(scalar_text(*timeout));
      } catch (const std::exception&) {
      }
    }
    if (millis && *millis >= kMinTimeoutMillis) out.timeout = std::chrono::milliseconds(*millis);
  }
  const json& auth = json_value(properties, "Auth");
  out.authorizer = string_member(auth, "Authorizer");
  out.api_key_required = flag_of(json_value(auth, "ApiKeyRequired"));
  if (const json& scopes = json_value(auth, "AuthorizationScopes"); !scopes.is_null()) {
    out.scopes = strings_of(scopes);
  }
  if (!rest) out.throttle = stage_throttle(json_value(properties, "RouteSettings"));
  return out;
}

void read_usage_plan_settings(const std::string& logical_id, std::string_view type, int line,
                              const json& properties, api::UsagePlanResources& out) {
  if (type == "AWS::ApiGateway::ApiKey") {
    out.keys.push_back(api::ApiKey{logical_id, text_of(json_value(properties, "Value")),
                                   flag_of(json_value(properties, "Enabled")).value_or(false),
                                   line});
  } else if (type == "AWS::ApiGateway::UsagePlan") {
    api::UsagePlan plan{.id = logical_id,
                        .throttle = plan_throttle(json_value(properties, "Throttle")),
                        .quota = plan_quota(json_value(properties, "Quota")),
                        .line = line};
    const json& stages = json_value(properties, "ApiStages");
    for (const auto& stage : stages.is_array() ? stages : json::array()) {
      api::PlanStage& out_stage = plan.stages.emplace_back(api::PlanStage{
          text_of(json_value(stage, "ApiId")), text_of(json_value(stage, "Stage")), {}});
      const json& methods = json_value(stage, "Throttle");
      if (!methods.is_object()) continue;
      for (const auto& [method, limits] : methods.items()) {
        if (auto throttle = plan_throttle(limits); !throttle.empty()) {
          out_stage.methods[method] = throttle;
        }
      }
    }
    out.plans.push_back(std::move(plan));
  } else if (type == "AWS::ApiGateway::UsagePlanKey") {
    out.plan_keys.push_back(api::UsagePlanKey{logical_id, text_of(json_value(properties, "KeyId")),
                                              text_of(json_value(properties, "UsagePlanId")),
                                              line});
  }
}

}  // namespace lambdad::deploy
