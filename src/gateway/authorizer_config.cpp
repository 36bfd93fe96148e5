#include "lambdad/gateway/authorizer_config.hpp"

namespace lambdad::gateway {

const AuthorizerConfig* ApiAuth::find(std::string_view name) const {
  for (const auto& authorizer : authorizers) {
    if (authorizer.name == name) return &authorizer;
  }
  return nullptr;
}

AuthorizerConfig authorizer_config(const std::string& api, const api::LambdaAuthorizer& spec) {
  AuthorizerConfig config{.name = spec.name,
                          .api = api,
                          .function = spec.function,
                          .format = spec.format,
                          .identity = spec.identity,
                          .ttl = spec.ttl,
                          .simple_responses = spec.simple_responses,
                          .unusable = spec.unusable};
  if (!spec.validation_expression.empty()) {
    try {
      config.validation = std::make_shared<const std::regex>(spec.validation_expression);
    } catch (const std::regex_error&) {
      // The loader checks a template's ValidationExpression; a document's is only compiled here.
      config.unusable = "its identityValidationExpression is not a valid regular expression";
    }
  }
  return config;
}

const AuthorizerConfig* route_authorizer(const ApiAuth& auth, std::string_view named) {
  const std::string_view name = named.empty() ? std::string_view(auth.default_authorizer) : named;
  if (name.empty() || name == "NONE" || name == "AWS_IAM") return nullptr;
  return auth.find(name);
}

const AuthorizerConfig* preflight_authorizer(const ApiAuth& auth) {
  if (!auth.default_on_preflight || auth.default_authorizer.empty()) return nullptr;
  return auth.find(auth.default_authorizer);
}

}  // namespace lambdad::gateway
