// The gateway port's answers to what its handler never sees (unparsable requests, headers over
// the limit, a connection over the port's limits, a handler that threw): API Gateway's shapes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lambdad/gateway/errors.hpp"

namespace lambdad::gateway {
namespace {

struct Case {
  http::ProtocolError error;
  GatewayError expected;
  unsigned status;
  const char* message;
};

constexpr Case kCases[] = {
    {http::ProtocolError::kMalformed, GatewayError::kBadRequest, 400, "Bad Request"},
    {http::ProtocolError::kHeadersTooLarge, GatewayError::kHeadersTooLarge, 431,
     "Request Header Fields Too Large"},
    {http::ProtocolError::kOverloaded, GatewayError::kServiceUnavailable, 503,
     "Service Unavailable"},
    {http::ProtocolError::kInternal, GatewayError::kIntegrationFailure, 500,
     "Internal Server Error"},
};

TEST(GatewayProtocolErrors, EachMapsToApiGatewaysAnswer) {
  for (const auto& c : kCases) {
    EXPECT_EQ(gateway_error(c.error), c.expected) << c.message;
    const ErrorShape http_api = error_shape(ApiKind::kHttp, gateway_error(c.error));
    EXPECT_EQ(http_api.status, c.status);
    EXPECT_EQ(nlohmann::json::parse(http_api.body)["message"], c.message);
    const ErrorShape rest = error_shape(ApiKind::kRest, gateway_error(c.error));
    EXPECT_EQ(rest.status, c.status);
    EXPECT_TRUE(nlohmann::json::parse(rest.body)["message"].is_string());
  }
  EXPECT_EQ(error_shape(ApiKind::kRest, GatewayError::kBadRequest).error_type,
            "BadRequestException");
}

}  // namespace
}  // namespace lambdad::gateway
