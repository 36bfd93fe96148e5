#pragma once
/// @brief The lambda port: the Lambda REST API (`2015-03-31` Invoke, ListFunctions, GetFunction…),
/// the CloudWatch Logs JSON API subset, `/healthz`, `/metrics` and `POST /_lambdad/deploy`.
///
/// Thread safety: handlers run on the io thread; log queries run on the API's own reader thread.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/common/aws_error.hpp"

#include "lambdad/http/server.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::store {
class LogReader;
}

namespace lambdad::control_api {

class ControlApi {
 public:
  ControlApi(scheduler::Scheduler& scheduler, std::filesystem::path db_file);
  ~ControlApi();

  std::shared_ptr<const http::Handler> handler();

  /// `POST /_lambdad/deploy` (servers started with --git): deploys the ref's newest commit and
  /// answers with what changed. Throws AwsError when the deploy fails; the old one keeps serving.
  using DeployHook = std::function<http::asio::awaitable<nlohmann::json>()>;
  void set_deploy_hook(DeployHook hook) { deploy_ = std::move(hook); }

  /// More Prometheus lines for /metrics, from another module (called on the io thread).
  void add_metrics(std::function<std::string()> lines) {
    more_metrics_.push_back(std::move(lines));
  }

 private:
  http::asio::awaitable<http::Response> route(http::Request& request);
  http::asio::awaitable<http::Response> invoke(http::Request& request, std::string_view name,
                                               std::string_view query, std::string request_id);
  http::asio::awaitable<http::Response> logs_call(http::Request& request);
  using LogsOutcome = std::pair<nlohmann::json, std::optional<AwsError>>;
  static http::asio::awaitable<LogsOutcome> query_logs(ControlApi* self, std::string operation,
                                                       nlohmann::json body);
  http::Response metrics(const http::Request& request) const;

  scheduler::Scheduler& scheduler_;
  std::filesystem::path db_file_;
  DeployHook deploy_;
  std::vector<std::function<std::string()>> more_metrics_;
  boost::asio::thread_pool readers_{1};       ///< SQLite reads block: never on the io thread
  std::unique_ptr<store::LogReader> reader_;  ///< used on readers_ only
};

}  // namespace lambdad::control_api
