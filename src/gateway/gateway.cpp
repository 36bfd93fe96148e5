#include "lambdad/gateway/gateway.hpp"

namespace lambdad::gateway {

bool has_http_api(const Template& tmpl) {
  for (const auto& api : tmpl.apis) {
    if (api.type == "AWS::Serverless::HttpApi") return true;
  }
  for (const auto& fn : tmpl.functions) {
    for (const auto& event : fn.events) {
      if (event.type == "HttpApi") return true;
    }
  }
  return false;
}

std::shared_ptr<const http::Handler> make_handler(const Template& tmpl) {
  const bool http_api = has_http_api(tmpl);
  auto handler = std::make_shared<http::Handler>();
  handler->body_policy = [](const http::RequestHeader&) {
    return http::BodyPolicy{.limit = 10u << 20};
  };
  handler->handle = [http_api](http::Request& request) -> http::asio::awaitable<http::Response> {
    if (http_api) co_return http::make_response(request, 404, R"({"message":"Not Found"})");
    auto r = http::make_response(request, 403, R"({"message":"Missing Authentication Token"})");
    r.set("x-amzn-ErrorType", "MissingAuthenticationTokenException");
    co_return r;
  };
  return handler;
}

}  // namespace lambdad::gateway
