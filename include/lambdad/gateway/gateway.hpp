#pragma once
/// @brief The API Gateway front door on the gateway port: the template's `Api` (REST, payload
/// 1.0) and `HttpApi` (payload 2.0, or 1.0 when asked) routes, on every API of the template,
/// without stage prefixes. A request finds its route (route_table.hpp), becomes an event
/// (rest_event.hpp / http_api_event.hpp), runs through the scheduler, and the reply is mapped
/// back (response_mapping.hpp); every failure is answered as API Gateway answers it (errors.hpp).
///
/// Thread safety: runs on the io thread, like the scheduler.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "lambdad/http/server.hpp"

namespace lambdad::scheduler {
class Scheduler;
}

namespace lambdad::gateway {

/// API Gateway's payload limit: bodies over 10 MB get 413.
inline constexpr uint64_t kBodyLimit = 10u << 20;

/// Connections on the gateway port: headers up to 10 KB (else 431), 30 s to read a request once
/// it has begun, 60 s idle between kept-alive requests.
http::ConnectionLimits connection_limits();

struct GatewayOptions {
  /// `--jwks ISSUER=SOURCE`: where a JWT issuer's keys are read (a JWKS file or URL) instead of
  /// its OIDC discovery document (jwks.hpp).
  std::map<std::string, std::string> jwks;
};

/// The gateway's handler, and `reload` to swap in a redeployed template's routes (requests in
/// flight finish on the routes they matched). Logs (warns) routes that another API's route
/// shadows. The scheduler must outlive the handler.
struct Front {
  std::shared_ptr<const http::Handler> handler;
  std::function<void(const Template&)> reload;
};
Front make_front(const Template& tmpl, scheduler::Scheduler& scheduler,
                 GatewayOptions options = {});

}  // namespace lambdad::gateway
