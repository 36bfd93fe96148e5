// Route matching cost with 10 and with 1,000 routes (the gateway's segment trie): prints ns per
// match for a literal hit, a {param} hit, a greedy hit, a $default fall-through and a miss.
//   bench_route_matching [ROUNDS]

#include <chrono>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "lambdad/gateway/route_table.hpp"
#include "lambdad/gateway/routes.hpp"

using namespace lambdad::gateway;

namespace {

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct Table {
  ApiInfo api{.kind = ApiKind::kHttp};
  std::deque<Route> routes;
  RouteTable table;

  explicit Table(int count) {
    // `count` routes spread over count/4 services, four shapes each, plus $default.
    for (int i = 0; static_cast<int>(routes.size()) < count; ++i) {
      const std::string s = "/svc" + std::to_string(i);
      for (const auto& [method, path] :
           std::vector<std::pair<std::string, std::string>>{{"GET", s + "/items"},
                                                            {"GET", s + "/items/{id}"},
                                                            {"POST", s + "/items/{id}/parts"},
                                                            {"ANY", s + "/files/{proxy+}"}}) {
        Route& r = routes.emplace_back();
        r.api = &api;
        r.method = method;
        r.path = path;
        table.add(r);
      }
    }
    Route& d = routes.emplace_back();
    d.api = &api;
    d.is_default = true;
    d.path = "$default";
    d.method = "ANY";
    table.add(d);
  }
};

double ns_per_match(const Table& t, const std::string& method, const std::string& path,
                    long rounds) {
  const auto segments = split(path);
  size_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < rounds; ++i) sink += t.table.match(method, segments).values.size();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (sink == 42) std::puts("");  // keep the loop
  return std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(rounds);
}

}  // namespace

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 2000000;
  const Table small(10), large(1000);
  struct Case {
    const char* name;
    const char* method;
    std::string path_small, path_large;
  };
  const std::vector<Case> cases = {
      {"literal", "GET", "/svc1/items", "/svc200/items"},
      {"{param}", "GET", "/svc1/items/42", "/svc200/items/42"},
      {"{proxy+}", "PUT", "/svc1/files/a/b/c", "/svc200/files/a/b/c"},
      {"$default", "DELETE", "/svc1/items/42/parts", "/svc200/items/42/parts"},
      {"unknown path", "GET", "/nope/x/y", "/nope/x/y"},
  };
  std::printf("route matching, ns per match (%ld rounds each)\n", rounds);
  std::printf("%-14s %10s %12s %8s\n", "case", "10 routes", "1000 routes", "ratio");
  for (const auto& c : cases) {
    const double a = ns_per_match(small, c.method, c.path_small, rounds);
    const double b = ns_per_match(large, c.method, c.path_large, rounds);
    std::printf("%-14s %10.1f %12.1f %8.2f\n", c.name, a, b, b / a);
  }
  std::printf("trie nodes: %zu (10 routes), %zu (1000 routes)\n", small.table.node_count(),
              large.table.node_count());
  return 0;
}
