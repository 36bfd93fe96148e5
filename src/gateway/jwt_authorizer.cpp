#include "lambdad/gateway/jwt_authorizer.hpp"

#include "lambdad/common/template_values.hpp"
#include "lambdad/gateway/jwt.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

constexpr std::string_view kHeaderSource = "$request.header.";
constexpr std::string_view kQuerySource = "$request.querystring.";

/// JwtConfiguration's keys are `issuer` / `audience` in SAM's docs and `Issuer` / `Audience` in
/// CloudFormation's: either.
const json& config_value(const json& config, const char* lower, const char* upper) {
  const json& value = json_value(config, lower);
  return value.is_null() ? json_value(config, upper) : value;
}

/// The event's Auth.Authorizer, else the API's DefaultAuthorizer ("" when neither).
std::string authorizer_name(const Route& route) {
  const json& own = json_value(json_value(route.properties, "Auth"), "Authorizer");
  if (own.is_string()) return own.get<std::string>();
  return text_of(json_value(json_value(route.api->properties, "Auth"), "DefaultAuthorizer"));
}

}  // namespace

std::vector<JwtAuthorizer> read_jwt_authorizers(const ApiInfo& api) {
  std::vector<JwtAuthorizer> out;
  const json& authorizers = json_value(json_value(api.properties, "Auth"), "Authorizers");
  if (api.kind != ApiKind::kHttp || !authorizers.is_object()) return out;
  for (const auto& [name, settings] : authorizers.items()) {
    const json& config = json_value(settings, "JwtConfiguration");
    if (!config.is_object()) continue;  // a Lambda authorizer
    JwtAuthorizer a{.api = api.logical_id, .name = name};
    a.issuer = text_of(config_value(config, "issuer", "Issuer"));
    a.audiences = strings_of(config_value(config, "audience", "Audience"));
    a.scopes = strings_of(json_value(settings, "AuthorizationScopes"));
    const std::string source = text_of(json_value(settings, "IdentitySource"));
    if (source.starts_with(kQuerySource)) {
      a.from_header = false;
      a.source = source.substr(kQuerySource.size());
    } else {
      a.source =
          source.starts_with(kHeaderSource) ? source.substr(kHeaderSource.size()) : "Authorization";
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<JwtRoute> route_jwt(const Route& route,
                                  const std::vector<JwtAuthorizer>& authorizers) {
  if (route.api->kind != ApiKind::kHttp) return std::nullopt;
  const std::string name = authorizer_name(route);
  for (const auto& authorizer : authorizers) {
    if (authorizer.name != name) continue;
    const json& own = json_value(json_value(route.properties, "Auth"), "AuthorizationScopes");
    return JwtRoute{&authorizer, own.is_null() ? authorizer.scopes : strings_of(own)};
  }
  return std::nullopt;
}

std::optional<std::string> identity_token(const JwtAuthorizer& authorizer,
                                          const GatewayRequest& request) {
  const std::string* value = nullptr;
  if (authorizer.from_header) {
    value = request.header(authorizer.source);
  } else {
    for (const auto& q : request.query) {
      if (q.name == authorizer.source) value = &q.value;
    }
  }
  if (!value) return std::nullopt;
  const std::string_view token = bearer_token(*value);
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

json jwt_context(PayloadVersion payload, const json& claims,
                 const std::vector<std::string>* scopes) {
  json context = {{"claims", claims}, {"scopes", scopes ? json(*scopes) : json(nullptr)}};
  if (payload == PayloadVersion::k1) return context;
  return {{"jwt", std::move(context)}};
}

}  // namespace lambdad::gateway
