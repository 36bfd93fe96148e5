// The matching table: paths × routes × the route API Gateway would pick.

#include "lambdad/gateway/route_table.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {
namespace {

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// A table of routes written as "GET /pets/{id}", "ANY /{proxy+}", "$default".
class Table {
 public:
  Table(ApiKind kind, std::initializer_list<std::string_view> keys) {
    api_.kind = kind;
    for (std::string_view key : keys) add(key, &api_);
  }
  void add(std::string_view key, const ApiInfo* api) {
    Route& route = routes_.emplace_back();
    route.api = api;
    if (key == "$default") {
      route.is_default = true;
      route.path = "$default";
      route.method = "ANY";
    } else {
      route.method = std::string(key.substr(0, key.find(' ')));
      route.path = std::string(key.substr(key.find(' ') + 1));
    }
    table_.add(route);
  }

  /// "GET /pets/{id} id=1" for a route (with its parameters), "403" for a REST resource without
  /// the method, "none" when nothing matches.
  std::string match(std::string_view method, std::string_view path) const {
    Match m = table_.match(method, segments(path));
    if (m.kind == MatchKind::kNoMethod) return "403";
    if (m.kind == MatchKind::kNone) return "none";
    std::string out = m.route->route_key();
    for (size_t i = 0; i < m.route->params.size(); ++i) {
      out += " " + m.route->params[i] + "=" + m.values.at(i);
    }
    return out;
  }

  ApiInfo api_;
  std::deque<Route> routes_;
  RouteTable table_;
};

struct Case {
  const char* method;
  const char* path;
  const char* expected;
};

void check(const Table& table, std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(table.match(c.method, c.path), c.expected) << c.method << " " << c.path;
  }
}

// The example of AWS's "Routing API requests" page for HTTP APIs.
TEST(GatewayRouteTable, HttpApiPriorityAsAwsDocuments) {
  Table t(ApiKind::kHttp, {"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}",
                           "ANY /{proxy+}", "$default"});
  check(t, {
               {"GET", "/pets/dog/1", "GET /pets/dog/1"},
               {"GET", "/pets/dog/2", "GET /pets/dog/{id} id=2"},
               {"GET", "/pets/cat/1", "GET /pets/{proxy+} proxy=cat/1"},
               {"POST", "/pets/dog/1", "ANY /{proxy+} proxy=pets/dog/1"},
               {"GET", "/", "$default"},  // a greedy variable takes at least one segment
               {"PROPFIND", "/pets", "$default"},
           });
}

TEST(GatewayRouteTable, ExactThenParamThenGreedyThenDefault) {
  Table t(ApiKind::kHttp, {"GET /a/b", "GET /a/{x}", "GET /{y}/b", "GET /a/{proxy+}",
                           "GET /{proxy+}", "POST /a/b", "$default"});
  check(t, {
               {"GET", "/a/b", "GET /a/b"},
               {"GET", "/a/c", "GET /a/{x} x=c"},
               {"GET", "/z/b", "GET /{y}/b y=z"},
               {"GET", "/a/b/c", "GET /a/{proxy+} proxy=b/c"},  // longer literal prefix first
               {"GET", "/z/c/d", "GET /{proxy+} proxy=z/c/d"},
               {"POST", "/a/b", "POST /a/b"},
               {"POST", "/a/c", "$default"},
               {"DELETE", "/a/b", "$default"},
               {"GET", "/a/b/", "GET /a/b"},  // a trailing slash is no segment
               {"GET", "//a//b", "GET /a/b"},
           });
}

TEST(GatewayRouteTable, AnyOnlyForMethodsNotDefined) {
  Table t(ApiKind::kHttp, {"GET /items", "ANY /items", "ANY /things/{id}", "GET /{x}/special"});
  check(t, {
               {"GET", "/items", "GET /items"},
               {"POST", "/items", "ANY /items"},
               {"HEAD", "/items", "ANY /items"},
               {"OPTIONS", "/items", "ANY /items"},
               {"PROPFIND", "/items", "none"},  // ANY covers the seven methods
               // A literal segment with ANY beats a variable segment with the method.
               {"GET", "/things/special", "ANY /things/{id} id=special"},
           });
}

TEST(GatewayRouteTable, HttpApiWithoutDefaultFindsNothing) {
  Table t(ApiKind::kHttp, {"GET /pets", "GET /pets/{id}"});
  check(t, {
               {"GET", "/", "none"},
               {"POST", "/pets", "none"},
               {"GET", "/pets/1/2", "none"},
               {"GET", "/cats", "none"},
           });
}

TEST(GatewayRouteTable, RestResourceWithoutTheMethodIs403) {
  Table t(ApiKind::kRest,
          {"GET /pets", "GET /pets/{id}", "POST /pets/{id}/toys", "ANY /{proxy+}", "GET /"});
  check(t, {
               {"GET", "/", "GET /"},
               {"POST", "/", "403"},
               {"GET", "/pets", "GET /pets"},
               {"POST", "/pets", "403"},  // the resource decides: no fall-back to {proxy+}
               {"GET", "/pets/7", "GET /pets/{id} id=7"},
               {"DELETE", "/pets/7", "403"},
               {"POST", "/pets/7/toys", "POST /pets/{id}/toys id=7"},
               {"GET", "/pets/7/toys", "403"},
               {"GET", "/cats", "ANY /{proxy+} proxy=cats"},
               {"PATCH", "/cats/1/2", "ANY /{proxy+} proxy=cats/1/2"},
           });
}

TEST(GatewayRouteTable, RestWithoutGreedyFindsNothing) {
  Table t(ApiKind::kRest, {"GET /hello", "GET /users/{id}/orders/{order}"});
  check(t, {
               {"GET", "/hello", "GET /hello"},
               {"GET", "/", "none"},
               {"GET", "/hello/there", "none"},
               {"GET", "/users/1/orders/2", "GET /users/{id}/orders/{order} id=1 order=2"},
               {"GET", "/users/1/orders", "none"},
           });
}

TEST(GatewayRouteTable, DecodedSegmentsAreValues) {
  Table t(ApiKind::kHttp, {"GET /files/{name}", "GET /tree/{proxy+}"});
  // The request's segments arrive decoded; an encoded slash stays inside its segment.
  Match m = t.table_.match("GET", {"files", "a/b c"});
  ASSERT_EQ(m.kind, MatchKind::kRoute);
  EXPECT_EQ(m.values, std::vector<std::string>{"a/b c"});
  m = t.table_.match("GET", {"tree", "x y", "z"});
  ASSERT_EQ(m.kind, MatchKind::kRoute);
  EXPECT_EQ(m.values, std::vector<std::string>{"x y/z"});
}

TEST(GatewayRouteTable, DifferentVariableNamesAtOneLevel) {
  Table t(ApiKind::kHttp, {"GET /pets/{id}", "GET /pets/{petId}/toys"});
  check(t, {
               {"GET", "/pets/1", "GET /pets/{id} id=1"},
               {"GET", "/pets/2/toys", "GET /pets/{petId}/toys petId=2"},
           });
}

TEST(GatewayRouteTable, LaterRouteReplacesTheSameMethodAndPath) {
  ApiInfo rest{.kind = ApiKind::kRest}, http{.kind = ApiKind::kHttp};
  Table t(ApiKind::kRest, {});
  t.add("GET /same", &rest);
  t.add("GET /same", &http);
  Match m = t.table_.match("GET", {"same"});
  ASSERT_EQ(m.kind, MatchKind::kRoute);
  EXPECT_EQ(m.route->api, &http);
}

// Matching cost does not grow with the number of routes (a trie): printed, never asserted.
TEST(GatewayRouteTable, MatchingCostWithTenAndAThousandRoutes) {
  auto time_per_match = [](int route_count) {
    Table t(ApiKind::kHttp, {});
    for (int i = 0; i < route_count; ++i) {
      const std::string n = std::to_string(i);
      t.add("GET /service" + n + "/items/{id}", &t.api_);
      t.add("POST /service" + n + "/items", &t.api_);
      t.add("GET /service" + n + "/items/{id}/parts/{proxy+}", &t.api_);
    }
    const std::vector<std::vector<std::string>> paths = {
        segments("/service" + std::to_string(route_count / 2) + "/items/42"),
        segments("/service" + std::to_string(route_count - 1) + "/items/7/parts/a/b"),
        segments("/nothing/here")};
    constexpr int kRounds = 100000;
    size_t found = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) {
      found += t.table_.match("GET", paths[static_cast<size_t>(i) % paths.size()]).route != nullptr;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(found, static_cast<size_t>(kRounds) * 2 / 3 + (kRounds % 3 == 0 ? 0 : 1));
    return std::chrono::duration<double, std::nano>(elapsed).count() / kRounds;
  };
  const double ten = time_per_match(10 / 3 + 1);
  const double thousand = time_per_match(1000 / 3 + 1);
  std::printf(
      "[ figures  ] route matching: %.0f ns/match with 12 routes, %.0f ns/match with "
      "1002 routes (ratio %.2f)\n",
      ten, thousand, thousand / ten);
}

}  // namespace
}  // namespace lambdad::gateway
