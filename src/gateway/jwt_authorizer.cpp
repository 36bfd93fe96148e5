#include "lambdad/gateway/jwt_authorizer.hpp"

#include "lambdad/gateway/jwt.hpp"

namespace lambdad::gateway {

using json = nlohmann::json;

std::vector<JwtAuthorizer> read_jwt_authorizers(const ApiInfo& api) {
  std::vector<JwtAuthorizer> out;
  if (api.kind != ApiKind::kHttp) return out;
  for (const api::JwtAuthorizer& spec : api.settings.auth.jwt_authorizers) {
    out.push_back(JwtAuthorizer{.api = api.logical_id,
                                .name = spec.name,
                                .issuer = spec.issuer,
                                .audiences = spec.audiences,
                                .scopes = spec.scopes,
                                .from_header = spec.from_header,
                                .source = spec.source});
  }
  return out;
}

std::optional<JwtRoute> route_jwt(const Route& route,
                                  const std::vector<JwtAuthorizer>& authorizers) {
  if (route.api->kind != ApiKind::kHttp) return std::nullopt;
  // The event's Auth.Authorizer, else the API's DefaultAuthorizer.
  const std::string& name = route.authorizer_name.empty()
                                ? route.api->settings.auth.default_authorizer
                                : route.authorizer_name;
  for (const auto& authorizer : authorizers) {
    if (authorizer.name != name) continue;
    return JwtRoute{&authorizer, route.scopes ? *route.scopes : authorizer.scopes};
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
