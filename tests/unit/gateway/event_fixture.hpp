#pragma once
// A request on a route of an API, parsed as the gateway parses it, for the event builders' tests
// (event_test.cpp, authorizer_event_test.cpp). Ids and times are pinned.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "lambdad/gateway/request.hpp"
#include "lambdad/gateway/route_table.hpp"
#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway::fixtures {

namespace bhttp = http::bhttp;

inline http::Peer peer() {
  return http::Peer{
      .remote = http::tcp::endpoint(boost::asio::ip::make_address("192.0.2.1"), 50123),
      .local = http::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 443)};
}

inline http::Request make_request(bhttp::verb verb, std::string target,
                                  std::vector<std::pair<std::string, std::string>> headers,
                                  std::string body = "") {
  http::Request r{verb, target, 11};
  for (auto& [name, value] : headers) r.insert(name, value);
  r.body() = std::move(body);
  if (!r.body().empty()) r.prepare_payload();
  return r;
}

struct Fixture {
  ApiInfo api;
  Route route;
  GatewayRequest request;
  std::vector<std::string> values;

  Fixture(ApiKind kind, std::string logical_id, std::string stage, std::string method,
          std::string path, http::Request r) {
    api.kind = kind;
    api.logical_id = std::move(logical_id);
    api.id = stable_id(api.logical_id, 10);
    api.stage = std::move(stage);
    route.api = &api;
    route.function = "Fn";
    route.method = std::move(method);
    route.path = std::move(path);
    route.is_default = route.path == "$default";
    route.resource_id = stable_id(api.logical_id + " " + route.path, 6);
    RouteTable table;
    table.add(route);  // fills route.params
    auto parsed = parse_request(r, peer());
    EXPECT_TRUE(parsed);
    request = std::move(*parsed);
    request.time_epoch_ms = 1583349317135;  // 04/Mar/2020:19:15:17 +0000
    Match m = table.match(request.method, request.segments);
    EXPECT_EQ(m.kind, MatchKind::kRoute);
    values = m.values;
  }

  EventInput input() const {
    return EventInput{request, route, values, "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                      "JKJaXmPLvHcESHA="};
  }
  EventInput http_input() const {
    return EventInput{request, route, values, "JKJaXmPLvHcESHA=", "JKJaXmPLvHcESHA="};
  }
};

}  // namespace lambdad::gateway::fixtures
