#pragma once
/// @brief What stands between a matched route and its function, checked in API Gateway's order.
///
/// - REST route that requires an API key: the key must be an enabled key of a usage plan that
///   covers the route's API stage (else 403 `{"message":"Forbidden"}`). It is the `x-api-key`
///   header, or with the API's `ApiKeySourceType: AUTHORIZER` the `usageIdentifierKey` of the
///   route's Lambda authorizer (the header is then ignored; no authorizer, no key); then the
///   plan's throttle for that key (its per-method throttle for this method when ApiStages sets
///   one; 429 `{"message":"Too Many Requests"}`), then the plan's quota for the key (429
///   `{"message":"Limit Exceeded"}`).
/// - Every route: its stage / route throttle (throttling.hpp; 429 `{"message":"Too Many
///   Requests"}`).
/// - HTTP API route with a JWT authorizer: the token from the identity source, verified against
///   the issuer's keys (jwt.hpp, jwks.hpp); 401 `{"message":"Unauthorized"}` with a
///   `www-authenticate: Bearer scope="" error="invalid_token" error_description="…"` header
///   (none when the token is missing), or 403 `{"message":"Forbidden"}` with
///   `error="insufficient_scope"` when it lacks every scope the route asks for.
///
/// Counters are in memory: buckets start full on every deploy; a key's quota (and plan throttle)
/// carries over a redeploy that keeps the plan's limits, and restarts with the server.
///
/// Thread safety: Access is built once per deploy and then read-only; its counters are atomic.
/// check() runs on the io thread (it may wait for the JWKS cache).

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/gateway/errors.hpp"
#include "lambdad/gateway/jwks.hpp"
#include "lambdad/gateway/jwt_authorizer.hpp"
#include "lambdad/gateway/token_bucket.hpp"
#include "lambdad/gateway/usage_plans.hpp"

namespace lambdad::gateway {

/// A key's counters in one usage plan: its throttle and quota count across all the plan's
/// stages, as API Gateway's do.
struct KeyUsage {
  std::unique_ptr<TokenBucket> throttle;
  std::unique_ptr<QuotaCounter> quota;
  /// ApiStages[].Throttle: by API logical id, then `/path/METHOD`.
  std::map<std::string, std::map<std::string, std::unique_ptr<TokenBucket>>> methods;
};

/// What outlives a deploy: the JWKS cache, generated key values, and the usage counters.
class AccessState {
 public:
  AccessState(boost::asio::any_io_executor io, JwksOptions jwks);

  JwksCache& jwks() { return jwks_; }

  /// A key's value when the template gives none: 40 random letters and digits, the same for
  /// the life of the process.
  std::string generated_key(const std::string& key_id);

  /// The counters of `key` in `plan`: the ones a previous deploy made when the limits are the
  /// same, else new ones.
  std::shared_ptr<KeyUsage> usage(const UsagePlanDef& plan, const std::string& key);

 private:
  JwksCache jwks_;
  std::map<std::string, std::string> generated_;
  std::map<std::string, std::weak_ptr<KeyUsage>> usage_;  ///< by plan, key and limits
};

struct RouteAccess {
  std::optional<JwtRoute> jwt;
  bool api_key_required = false;
  bool key_from_authorizer = false;       ///< REST `ApiKeySourceType: AUTHORIZER`
  std::unique_ptr<TokenBucket> throttle;  ///< stage / route throttling
};

/// A refusal: the error (errors.hpp) and, for JWT refusals, the www-authenticate value.
struct Denial {
  GatewayError error;
  std::string www_authenticate;
  std::string why;  ///< for the log
};

/// A request let through, with what the function's event carries about it.
struct Admission {
  nlohmann::json authorizer;           ///< requestContext.authorizer; null when none
  const ApiKeyDef* api_key = nullptr;  ///< the REST key the request used
};

class Access {
 public:
  /// The rules of every route of `routes` (Route::access points into this object; a route that
  /// enforces nothing keeps a null Route::access).
  Access(Routes& routes, const Template& tmpl, AccessState& state);

  /// `authorizer_key`: the `usageIdentifierKey` the route's Lambda authorizer gave (nullptr:
  /// none, or no authorizer); it must outlive the call.
  boost::asio::awaitable<std::variant<Admission, Denial>> check(
      const Route& route, const GatewayRequest& request,
      const std::string* authorizer_key = nullptr) const;

  /// What the gateway logs on a deploy: the generated API keys (info), and the settings it
  /// cannot enforce (warnings).
  const std::vector<std::string>& notes() const { return notes_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  /// The plans and keys (for tests).
  const UsagePlansDef& plans() const { return plans_; }

 private:
  struct Grant {
    const ApiKeyDef* key = nullptr;
    std::shared_ptr<KeyUsage> usage;
  };

  void build_grants();
  void build_route(Route& route, const std::map<std::string, std::vector<JwtAuthorizer>*>& jwt);
  std::optional<Denial> check_key(const Route& route, const GatewayRequest& request,
                                  const std::string* authorizer_key, Admission& admission) const;
  boost::asio::awaitable<std::variant<Admission, Denial>> check_jwt(
      const Route& route, const JwtRoute& jwt, const GatewayRequest& request) const;

  AccessState& state_;
  UsagePlansDef plans_;
  std::deque<std::vector<JwtAuthorizer>> authorizers_;  ///< per HTTP API
  std::deque<RouteAccess> routes_;
  /// key value → API logical id → the plan stage that lets the key in.
  std::unordered_map<std::string, std::unordered_map<std::string, Grant>> grants_;
  std::vector<std::string> notes_;
  std::vector<std::string> warnings_;
};

}  // namespace lambdad::gateway
