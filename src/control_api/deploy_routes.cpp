// POST /_lambdad/deploy: servers started with --git deploy their ref's newest commit.

#include "router.hpp"

namespace lambdad::control_api {

http::asio::awaitable<http::Response> run_deploy(ApiState& api, Call& call) {
  if (!api.deploy) {
    throw errors::invalid_parameter(
        "this server serves a folder; deploys need 'lambdad serve --git URL --ref REF'");
  }
  co_return json_response(call.request, 200, co_await api.deploy(), call.request_id);
}

}  // namespace lambdad::control_api
