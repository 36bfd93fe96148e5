#include "lambdad/gateway/authorizer_response.hpp"

#include "lambdad/gateway/authorizer_config.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

/// A scalar as the text API Gateway passes on (`1` → "1", `true` → "true").
std::string scalar_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::optional<AuthorizerDecision> fail(std::string& why, std::string text) {
  why = std::move(text);
  return std::nullopt;
}

/// `context`: an object (absent or null: empty); a REST one holds scalars only.
bool read_context(const json& reply, bool rest, AuthorizerDecision& out, std::string& why) {
  auto context = reply.find("context");
  if (context == reply.end() || context->is_null()) return true;
  if (!context->is_object()) {
    why = "context is not an object";
    return false;
  }
  if (rest) {
    for (const auto& [key, value] : context->items()) {
      if (value.is_object() || value.is_array()) {
        why = "context value '" + key +
              "' is an object or a list (REST APIs take strings, "
              "numbers and booleans)";
        return false;
      }
    }
  }
  out.context = *context;
  return true;
}

}  // namespace

std::optional<AuthorizerDecision> parse_authorizer_reply(std::string_view payload,
                                                         const AuthorizerConfig& authorizer,
                                                         std::string& why) {
  const json reply = json::parse(payload, nullptr, false);
  if (reply.is_discarded()) return fail(why, "the reply is not JSON");
  if (!reply.is_object()) return fail(why, "the reply is not a JSON object");
  AuthorizerDecision out;
  if (!read_context(reply, authorizer.rest(), out, why)) return std::nullopt;

  if (authorizer.simple_responses) {
    auto verdict = reply.find("isAuthorized");
    if (verdict == reply.end() || !verdict->is_boolean()) {
      return fail(why, "isAuthorized is missing or not a boolean");
    }
    out.simple = true;
    out.authorized = verdict->get<bool>();
    return out;
  }

  if (auto principal = reply.find("principalId");
      principal != reply.end() && !principal->is_null()) {
    if (principal->is_object() || principal->is_array()) {
      return fail(why, "principalId is not a string");
    }
    out.principal_id = scalar_text(*principal);
  }
  auto document = reply.find("policyDocument");
  if (document == reply.end()) return fail(why, "the reply has no policyDocument");
  auto policy = parse_policy(*document, why);
  if (!policy) return std::nullopt;
  out.policy = std::move(*policy);
  if (auto key = reply.find("usageIdentifierKey"); key != reply.end() && key->is_string()) {
    out.usage_identifier_key = key->get<std::string>();
  }
  return out;
}

bool is_unauthorized_error(std::string_view error_payload) {
  const json error = json::parse(error_payload, nullptr, false);
  if (!error.is_object()) return false;
  auto message = error.find("errorMessage");
  return message != error.end() && message->is_string() && *message == "Unauthorized";
}

PolicyDecision decide(const AuthorizerDecision& decision, std::string_view method_arn) {
  if (decision.simple) {
    return decision.authorized ? PolicyDecision::kAllow : PolicyDecision::kImplicitDeny;
  }
  return evaluate_policy(decision.policy, method_arn);
}

json function_authorizer_context(const AuthorizerDecision& decision, bool rest, bool payload_v2,
                                 long long latency_ms) {
  json out = json::object();
  for (const auto& [key, value] : decision.context.items()) {
    out[key] = rest ? json(scalar_text(value)) : value;
  }
  if (decision.principal_id) out["principalId"] = *decision.principal_id;
  if (rest) {
    out["integrationLatency"] = latency_ms;
    return out;
  }
  return payload_v2 ? json{{"lambda", std::move(out)}} : out;
}

}  // namespace lambdad::gateway
