#pragma once
/// @brief Runs a route's Lambda authorizer as API Gateway does, before the route's function:
/// 1. the identity sources must all be there (else 401, without an invocation);
/// 2. a result cached for the same identity values within the TTL is reused (authorizer_cache.hpp);
///    else the authorizer function is invoked through the scheduler like any invocation (its logs,
///    REPORT line, concurrency limits apply), within a time limit;
/// 3. its "Unauthorized" error gives 401; any other failure (error, crash, timeout, throttle,
///    malformed reply) 500; a policy is evaluated for the request's method ARN (Deny wins: 403,
///    no Allow: 403), a simple reply's `isAuthorized` decides;
/// 4. an allowed request's function gets the authorizer's context (authorizer_response.hpp).
///
/// Thread safety: on the io thread, like the scheduler.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/gateway/authorizer_cache.hpp"
#include "lambdad/gateway/authorizer_config.hpp"
#include "lambdad/gateway/authorizer_response.hpp"
#include "lambdad/gateway/errors.hpp"
#include "lambdad/gateway/request.hpp"

namespace lambdad::scheduler {
class Scheduler;
}

namespace lambdad::gateway {

/// How long the gateway waits for an authorizer: HTTP APIs 10 s (AWS's limit); REST APIs the
/// longest integration timeout (AWS documents no limit of its own).
inline constexpr std::chrono::milliseconds kHttpAuthorizerLimit{10000};
inline constexpr std::chrono::milliseconds kRestAuthorizerLimit{29000};

struct Authorization {
  std::optional<GatewayError> refused;  ///< set: the request is answered with this error
  nlohmann::json context;               ///< the function's `requestContext.authorizer`
  std::optional<std::string> usage_identifier_key;  ///< REST: an API key from the authorizer
};

class Authorizers {
 public:
  explicit Authorizers(scheduler::Scheduler& scheduler, AuthorizerCache::Clock clock = nullptr);

  /// Authorizes a request on a route that `authorizer` guards. Every fault of the request or
  /// of the authorizer becomes the answer API Gateway gives; nothing is thrown for them.
  boost::asio::awaitable<Authorization> authorize(const AuthorizerConfig& authorizer,
                                                  const EventInput& input);

  /// Forgets every cached result (a redeploy may change the authorizers), including those of
  /// authorizations still in flight.
  void clear_cache() {
    cache_.clear();
    ++generation_;
  }

 private:
  /// An authorizer's decision, or the error the request gets.
  struct Fetched {
    std::shared_ptr<const AuthorizerDecision> decision;
    GatewayError error = GatewayError::kAuthorizerFailure;  ///< when there is no decision
    long long latency_ms = 0;                               ///< 0 when it came from the cache
  };

  /// The cached decision for these identity values, else a fresh one (then cached).
  boost::asio::awaitable<Fetched> decision_for(const AuthorizerConfig& authorizer,
                                               const EventInput& input,
                                               const std::vector<std::string>& values,
                                               nlohmann::json request_event,
                                               const std::string& arn);
  /// Invokes the authorizer with its event.
  boost::asio::awaitable<Fetched> invoke(const AuthorizerConfig& authorizer,
                                         const EventInput& input, std::string event);

  scheduler::Scheduler& scheduler_;
  AuthorizerCache cache_;
  uint64_t generation_ = 0;
};

}  // namespace lambdad::gateway
