// /healthz and the Prometheus /metrics, from the scheduler's Stats.

#include <string>

#include <nlohmann/json.hpp>

#include "lambdad/http/error_response.hpp"
#include "lambdad/sandbox/sandbox.hpp"
#include "lambdad/scheduler/scheduler.hpp"
#include "router.hpp"

namespace lambdad::control_api {

http::asio::awaitable<http::Response> healthz(ApiState& api, Call& call) {
  std::string reasons;
  for (const auto& check : api.health_checks) {
    if (auto reason = check()) reasons += (reasons.empty() ? "" : "; ") + *reason;
  }
  if (reasons.empty()) co_return http::make_response(call.request, 200, R"({"status":"ok"})");
  const nlohmann::json body{{"status", "degraded"}, {"reason", reasons}};
  co_return http::make_response(call.request, 200, http::dump_lenient(body));
}

http::asio::awaitable<http::Response> metrics(ApiState& api, Call& call) {
  const scheduler::Stats stats = api.scheduler.stats();
  std::string text;
  text += "# HELP lambdad_workers Worker processes per function version.\n";
  text += "# TYPE lambdad_workers gauge\n";
  text += "# HELP lambdad_workers_idle Idle (warm) workers per function version.\n";
  text += "# TYPE lambdad_workers_idle gauge\n";
  text += "# HELP lambdad_concurrent_executions Invocations in flight per function.\n";
  text += "# TYPE lambdad_concurrent_executions gauge\n";
  // 1 for the tier workers run at (namespaces, process or none), 0 for the others.
  text += "# HELP lambdad_sandbox_tier The sandbox tier workers run at.\n";
  text += "# TYPE lambdad_sandbox_tier gauge\n";
  for (auto t : {sandbox::Tier::kNamespaces, sandbox::Tier::kProcess, sandbox::Tier::kNone}) {
    text += "lambdad_sandbox_tier{tier=\"" + std::string(sandbox::tier_name(t)) + "\"} " +
            (t == stats.sandbox_tier ? "1\n" : "0\n");
  }
  text +=
      "# HELP lambdad_log_bytes_dropped_total Log bytes a function wrote that its log "
      "limits dropped (reason rate_limit or invocation_limit).\n";
  text += "# TYPE lambdad_log_bytes_dropped_total counter\n";
  for (const auto& function : stats.functions) {
    const std::string dropped = "lambdad_log_bytes_dropped_total{function=\"" + function.name;
    text += dropped + "\",reason=\"rate_limit\"} " +
            std::to_string(function.log_bytes_dropped_rate) + "\n";
    text += dropped + "\",reason=\"invocation_limit\"} " +
            std::to_string(function.log_bytes_dropped_invocation) + "\n";
    for (const auto& version : function.versions) {
      std::string labels =
          "{function=\"" + function.name + "\",version=\"" + version.version + "\"}";
      text += "lambdad_workers" + labels + " " + std::to_string(version.workers) + "\n";
      text += "lambdad_workers_idle" + labels + " " + std::to_string(version.idle) + "\n";
    }
    text += "lambdad_concurrent_executions{function=\"" + function.name + "\"} " +
            std::to_string(function.in_flight) + "\n";
  }
  for (const auto& lines : api.more_metrics) text += lines();
  co_return http::make_response(call.request, 200, std::move(text), "text/plain; version=0.0.4");
}

}  // namespace lambdad::control_api
