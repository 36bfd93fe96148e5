#include "lambdad/gateway/authorizer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/gateway/authorizer_event.hpp"
#include "lambdad/gateway/authorizer_response.hpp"
#include "lambdad/gateway/invoke.hpp"
#include "lambdad/gateway/routes.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

Authorization refuse(GatewayError error) {
  return Authorization{.refused = error};
}

bool reads_context(const AuthorizerConfig& authorizer) {
  return std::any_of(authorizer.identity.begin(), authorizer.identity.end(),
                     [](const auto& s) { return s.kind == IdentitySource::Kind::kContext; });
}

/// "GET /pets/1 (authorizer Api.Name)" for logs.
std::string where(const AuthorizerConfig& authorizer, const EventInput& input) {
  return input.request.method + " " + input.request.raw_path + " (authorizer " + authorizer.api +
         "." + authorizer.name + ")";
}

}  // namespace

Authorizers::Authorizers(scheduler::Scheduler& scheduler, AuthorizerCache::Clock clock)
    : scheduler_(scheduler), cache_(std::move(clock)) {}

boost::asio::awaitable<Authorization> Authorizers::authorize(const AuthorizerConfig& authorizer,
                                                             const EventInput& input) {
  if (!authorizer.unusable.empty()) {
    spdlog::warn("gateway: {}: {}", where(authorizer, input), authorizer.unusable);
    co_return refuse(GatewayError::kAuthorizerFailure);
  }
  // The request's event is built only when needed: for context identity sources, or to invoke
  // (not on a cache hit).
  json request_event = reads_context(authorizer) ? request_event_for(authorizer, input) : json();
  auto values = identity_values(authorizer, input, request_event);
  if (!values) {
    spdlog::debug(
        "gateway: {}: an identity source is missing or empty, or the token fails its "
        "ValidationExpression: 401",
        where(authorizer, input));
    co_return refuse(GatewayError::kUnauthorized);
  }
  const std::string arn = method_arn(*input.route.api, input.request);
  Fetched fetched =
      co_await decision_for(authorizer, input, *values, std::move(request_event), arn);
  if (!fetched.decision) co_return refuse(fetched.error);
  switch (decide(*fetched.decision, arn)) {
    case PolicyDecision::kExplicitDeny:
      spdlog::debug("gateway: {}: the policy denies {}: 403", where(authorizer, input), arn);
      co_return refuse(GatewayError::kExplicitDeny);
    case PolicyDecision::kImplicitDeny:
      spdlog::debug("gateway: {}: not allowed {}: 403", where(authorizer, input), arn);
      co_return refuse(GatewayError::kImplicitDeny);
    case PolicyDecision::kAllow:
      break;
  }
  co_return Authorization{.context = function_authorizer_context(
                              *fetched.decision, input.route.api->kind == ApiKind::kRest,
                              input.route.payload == PayloadVersion::k2, fetched.latency_ms),
                          .usage_identifier_key = fetched.decision->usage_identifier_key};
}

boost::asio::awaitable<Authorizers::Fetched> Authorizers::decision_for(
    const AuthorizerConfig& authorizer, const EventInput& input,
    const std::vector<std::string>& values, json request_event, const std::string& arn) {
  const std::string key = AuthorizerCache::key(authorizer, values);
  if (authorizer.ttl.count() > 0) {
    if (auto kept = cache_.find(key)) co_return Fetched{.decision = std::move(kept)};
  }
  const uint64_t generation = generation_;
  const auto started = std::chrono::steady_clock::now();
  if (request_event.is_null()) request_event = request_event_for(authorizer, input);
  std::string event =
      http::dump_lenient(authorizer_event(authorizer, std::move(request_event), values, arn));
  Fetched fetched = co_await invoke(authorizer, input, std::move(event));
  fetched.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  // A redeploy during the call may have changed the authorizer: its result is not kept then.
  if (fetched.decision && generation == generation_) {
    cache_.put(key, fetched.decision, authorizer.ttl);
  }
  co_return fetched;
}

boost::asio::awaitable<Authorizers::Fetched> Authorizers::invoke(const AuthorizerConfig& authorizer,
                                                                 const EventInput& input,
                                                                 std::string event) {
  const auto limit = authorizer.rest() ? kRestAuthorizerLimit : kHttpAuthorizerLimit;
  std::optional<scheduler::InvokeResult> result;
  try {
    result = co_await invoke_within(scheduler_, authorizer.function, limit, std::move(event));
  } catch (const AwsError& e) {
    spdlog::warn("gateway: {}: Lambda refused the invocation of {}: {} {}{}",
                 where(authorizer, input), authorizer.function, e.status, e.type,
                 e.reason.empty() ? "" : " (" + e.reason + ")");
    co_return Fetched{};
  }
  if (!result) {
    spdlog::warn("gateway: {}: no reply from {} within {} ms", where(authorizer, input),
                 authorizer.function, limit.count());
    co_return Fetched{};
  }
  if (result->outcome == worker::Outcome::kFunctionError &&
      is_unauthorized_error(result->payload)) {
    spdlog::debug("gateway: {}: the authorizer said Unauthorized: 401", where(authorizer, input));
    co_return Fetched{.error = GatewayError::kUnauthorized};
  }
  if (result->outcome != worker::Outcome::kSuccess) {
    spdlog::warn("gateway: {}: invocation {} of {} ended with {}", where(authorizer, input),
                 result->request_id, authorizer.function, worker::describe(result->outcome));
    co_return Fetched{};
  }
  std::string why;
  auto decision = parse_authorizer_reply(result->payload, authorizer, why);
  if (!decision) {
    spdlog::warn("gateway: {}: malformed authorizer reply ({}): {:.200}", where(authorizer, input),
                 why, result->payload);
    co_return Fetched{};
  }
  co_return Fetched{.decision = std::make_shared<const AuthorizerDecision>(std::move(*decision))};
}

}  // namespace lambdad::gateway
