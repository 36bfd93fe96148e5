#pragma once
/// @brief What a Lambda authorizer's reply means, and what of it reaches the function.
///
/// IAM replies (REST, HTTP API 1.0, HTTP API 2.0 without simple responses): `{principalId,
/// policyDocument, context, usageIdentifierKey}`. `policyDocument` is required; a REST `context`
/// holds only strings, numbers and booleans (they reach the function as strings, as AWS passes
/// them on), an HTTP API one any JSON. Simple replies (HTTP API 2.0 with `EnableSimpleResponses`):
/// `{isAuthorized: bool, context}`. Anything else is malformed: API Gateway answers 500.
///
/// The function's `requestContext.authorizer`: REST `{principalId, integrationLatency, …context}`;
/// an HTTP API route on payload 2.0 `{lambda: {…context, principalId}}`, on 1.0 the context (and
/// principalId) itself.
///
/// Thread safety: plain values and pure functions.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lambdad/gateway/iam_policy.hpp"

namespace lambdad::gateway {

struct AuthorizerConfig;

/// A well-formed reply, kept in the cache as it is.
struct AuthorizerDecision {
  bool simple = false;      ///< a simple reply: `authorized` decides
  bool authorized = false;  ///< simple replies only
  IamPolicy policy;         ///< IAM replies only
  std::optional<std::string> principal_id;
  nlohmann::json context = nlohmann::json::object();
  std::optional<std::string> usage_identifier_key;  ///< REST: the API key of a usage plan
};

/// Reads an authorizer's successful reply. nullopt when malformed, with `why` set.
std::optional<AuthorizerDecision> parse_authorizer_reply(std::string_view payload,
                                                         const AuthorizerConfig& authorizer,
                                                         std::string& why);

/// Whether a function error is the authorizer's "Unauthorized" (API Gateway answers 401): its
/// `errorMessage` is exactly that word (`throw new Error("Unauthorized")`,
/// `callback("Unauthorized")`, `raise Exception("Unauthorized")`).
bool is_unauthorized_error(std::string_view error_payload);

/// The decision for one request: a simple reply's verdict, or the policy evaluated for the
/// method ARN.
PolicyDecision decide(const AuthorizerDecision& decision, std::string_view method_arn);

/// The function's `requestContext.authorizer`. `rest`: the route's API is a REST API;
/// `payload_v2`: the route's payload format is 2.0. `latency_ms`: the authorizer's call (0 when
/// the result came from the cache).
nlohmann::json function_authorizer_context(const AuthorizerDecision& decision, bool rest,
                                           bool payload_v2, long long latency_ms);

}  // namespace lambdad::gateway
