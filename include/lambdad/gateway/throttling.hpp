#pragma once
/// @brief The stage and route throttling of a route, as API Gateway applies it (its usage plan's
/// per-key throttle is in usage_plans.hpp).
///
/// REST (`MethodSettings` of the `AWS::Serverless::Api`): the entries whose `ResourcePath` is
/// `/*` or the route's resource path (`/` may be written `~1`, as CloudFormation wants; the loader
/// decodes it) and whose
/// `HttpMethod` is `*` or the route's method. Each limit comes from the most specific entry that
/// sets it: path and method, path and `*`, `/*` and method, `/*` and `*`.
///
/// HTTP API: the event's `RouteSettings`, then the API's `RouteSettings` for the route key, then
/// its `DefaultRouteSettings`.
///
/// A limit that no setting gives (or gives as -1) is the account default (10,000 requests per
/// second, burst 5,000). Every route gets its own bucket, the stage-wide settings included, as
/// API Gateway's default method (route) throttling does.
///
/// Thread safety: pure functions.

#include <optional>

#include "lambdad/gateway/routes.hpp"
#include "lambdad/gateway/token_bucket.hpp"

namespace lambdad::gateway {

/// nullopt when no setting throttles the route. The settings are the loader's
/// (`ApiInfo::settings`, `Route::throttle`): per request nothing is read but the route's bucket.
std::optional<ThrottleLimits> route_throttle(const Route& route);

}  // namespace lambdad::gateway
