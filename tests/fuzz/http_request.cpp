// HTTP requests as the Runtime API and the lambda port read them: Beast's parser with each port's
// limits (pipelined requests in turn), then what the port does before any function is involved:
// the Runtime API's real handler (routing, request ids, size checks) over a fake worker, and the
// lambda port's body policy, path matching and query decoding. The gateway's port is
// gateway_event.cpp's.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "connection_bytes.hpp"
#include "lambdad/control_api/request_routing.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/runtime_api/endpoint.hpp"

namespace {

using namespace lambdad;
namespace asio = boost::asio;

/// A worker that answers every call at once, checking what the endpoint hands it.
class FakeWorker : public runtime_api::RuntimeTarget {
 public:
  asio::awaitable<http::Response> next(const http::Request& request) override {
    co_return http::make_response(request, 200, "{}");
  }
  http::Response response(std::string_view request_id, http::Request& request) override {
    return answer(request_id, request);
  }
  http::Response error(std::string_view request_id, http::Request& request) override {
    return answer(request_id, request);
  }
  http::Response init_error(http::Request& request) override {
    return http::make_response(request, 202, R"({"status":"OK"})");
  }
  http::Response response_too_large(std::string_view request_id,
                                    const http::RequestHeader& header) override {
    return http::runtime_error(header, 413, "RequestEntityTooLarge", std::string(request_id));
  }
  bool admits(const http::Peer&) override { return true; }

 private:
  static http::Response answer(std::string_view request_id, http::Request& request) {
    if (request_id.empty() || request_id.find('/') != std::string_view::npos) __builtin_trap();
    return http::make_response(request, 202, R"({"status":"OK"})");
  }
};

void runtime_api_port(std::string_view bytes) {
  static auto worker = std::make_shared<FakeWorker>();
  static auto handler = runtime_api::make_handler(worker);
  static asio::io_context ioc;
  lambdad::fuzz::serve_bytes(bytes, http::ConnectionLimits{}, *handler, [](http::Request& r) {
    http::Response response;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { response = co_await handler->handle(r); },
        asio::detached);
    ioc.restart();
    ioc.run();
    return response;
  });
}

// The shapes of the lambda port's routes (control_api.cpp): captures, a trailing `/?`, the root.
constexpr std::string_view kPatterns[] = {"/2015-03-31/functions/{}/invocations",
                                          "/2015-03-31/functions/?",
                                          "/2015-03-31/functions/{}/?",
                                          "/2015-03-31/functions/{}/configuration",
                                          "/",
                                          "/healthz",
                                          "/{}/{}"};

void lambda_port(std::string_view bytes) {
  static const http::Handler handler = [] {
    http::Handler h;
    h.body_policy = control_api::body_policy;
    h.body_too_large = control_api::body_too_large;
    return h;
  }();
  lambdad::fuzz::serve_bytes(bytes, http::ConnectionLimits{}, handler, [](http::Request& r) {
    const std::string_view target = r.target();
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query =
        q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    for (const std::string_view pattern : kPatterns) {
      std::array<std::string_view, 2> params{};
      if (!control_api::match_path(pattern, path, params)) continue;
      for (const auto& p : params) {
        if (p.find('/') != std::string_view::npos) __builtin_trap();  // one segment each
        (void)control_api::path_param(p);
      }
    }
    (void)control_api::query_param(query, "Qualifier");
    (void)control_api::query_param(query, "Marker");
    return http::make_response(r, 200, "{}");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  runtime_api_port(bytes);
  lambda_port(bytes);
  return 0;
}
