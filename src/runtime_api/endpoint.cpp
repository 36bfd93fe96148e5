#include "lambdad/runtime_api/endpoint.hpp"

#include <charconv>

#include "lambdad/http/error_response.hpp"

namespace lambdad::runtime_api {
namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

enum class Route { kNext, kResponse, kError, kInitError, kUnknown };

struct Target {
  Route route = Route::kUnknown;
  std::string_view request_id;
};

Target parse(http::bhttp::verb method, std::string_view target) {
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (!target.starts_with(kPrefix)) return {};
  std::string_view rest = target.substr(kPrefix.size());
  using http::bhttp::verb;
  if (rest == "invocation/next") return {method == verb::get ? Route::kNext : Route::kUnknown, {}};
  if (rest == "init/error") return {method == verb::post ? Route::kInitError : Route::kUnknown, {}};
  constexpr std::string_view kInvocation = "invocation/";
  if (method != verb::post || !rest.starts_with(kInvocation)) return {};
  rest.remove_prefix(kInvocation.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return {};
  std::string_view id = rest.substr(0, slash);
  std::string_view action = rest.substr(slash + 1);
  if (action == "response") return {Route::kResponse, id};
  if (action == "error") return {Route::kError, id};
  return {};
}

http::Response not_found(const http::RequestHeader& header) {
  return http::runtime_error(header, 404, "InvalidRequest", "Unknown Runtime API path");
}

http::Response gone(const http::RequestHeader& header) {
  auto r = http::runtime_error(header, 500, "ServiceException", "The runtime environment is gone");
  r.keep_alive(false);
  return r;
}

}  // namespace

std::shared_ptr<const http::Handler> make_handler(std::weak_ptr<RuntimeTarget> weak) {
  auto handler = std::make_shared<http::Handler>();
  handler->coalesce_pipelined_answers = true;
  handler->admit = [weak](const http::Peer& peer) {
    auto target = weak.lock();
    return target && target->admits(peer);
  };
  handler->body_policy = [weak](const http::RequestHeader& header) {
    http::BodyPolicy policy{.limit = kMaxResponseBytes};
    Target t = parse(header.method(), header.target());
    auto length = header[http::bhttp::field::content_length];
    uint64_t declared = 0;
    if (t.route == Route::kResponse && !length.empty() &&
        std::from_chars(length.data(), length.data() + length.size(), declared).ec == std::errc() &&
        declared > kMaxResponseBytes) {
      auto target = weak.lock();
      policy.reject = target ? target->response_too_large(t.request_id, header) : gone(header);
    }
    return policy;
  };
  handler->body_too_large = [weak](const http::RequestHeader& header) {
    Target t = parse(header.method(), header.target());
    auto target = weak.lock();
    if (!target) return gone(header);
    if (t.route == Route::kResponse) return target->response_too_large(t.request_id, header);
    return http::runtime_error(header, 413, "RequestEntityTooLarge", "Request body too large");
  };
  handler->protocol_error = http::runtime_protocol_error;
  handler->handle = [weak](http::Request& request) -> http::asio::awaitable<http::Response> {
    auto target = weak.lock();
    if (!target) co_return gone(request.base());
    Target t = parse(request.method(), request.target());
    switch (t.route) {
      case Route::kNext:
        co_return co_await target->next(request);
      case Route::kResponse:
        co_return target->response(t.request_id, request);
      case Route::kError:
        co_return target->error(t.request_id, request);
      case Route::kInitError:
        co_return target->init_error(request);
      case Route::kUnknown:
        break;
    }
    co_return not_found(request.base());
  };
  return handler;
}

}  // namespace lambdad::runtime_api
