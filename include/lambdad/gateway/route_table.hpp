#pragma once
/// @brief A segment trie of routes: the cost of finding a request's route depends on the depth of
/// its path, not on the number of routes.
///
/// Priority, as API Gateway: a route whose every segment matches (literal segments before
/// `{name}` segments, left to right), then greedy `{name+}` routes (the longest literal prefix
/// first), then the HTTP API `$default` route. At each path, the request's own method before
/// `ANY`. An HTTP API path without the method lets the search go on (to a greedy route or
/// `$default`); a REST resource that matches the whole path but not the method ends it: REST
/// answers 403 there, as AWS does.
///
/// Thread safety: built once, then read-only.

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lambdad::gateway {

struct Route;

enum class MatchKind {
  kRoute,     ///< `route` is set
  kNoMethod,  ///< a REST resource matched the path but has neither the method nor ANY
  kNone,      ///< nothing matched
};

struct Match {
  MatchKind kind = MatchKind::kNone;
  const Route* route = nullptr;
  /// The values of the route's `{name}` segments, in the order of Route::params (decoded; a
  /// greedy value is its segments joined by `/`).
  std::vector<std::string> values;
};

class RouteTable {
 public:
  RouteTable();
  ~RouteTable();
  RouteTable(RouteTable&&) noexcept;
  RouteTable& operator=(RouteTable&&) noexcept;

  /// Adds a route (its `params` are filled in from its path). Returns the route it replaces, when
  /// another one already had the same path and method: the later one wins, as in
  /// `sam local start-api`. The route must outlive the table.
  const Route* add(Route& route);

  /// `segments`: the request path split on `/`, percent-decoded, empty segments dropped.
  Match match(std::string_view method, const std::vector<std::string>& segments) const;

  /// Number of trie nodes (for tests and benchmarks).
  size_t node_count() const { return nodes_; }

 private:
  struct Node;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unique_ptr<Node> root_;
  const Route* default_ = nullptr;
  size_t nodes_ = 1;
};

/// Index of a method in a node's table: GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, then ANY;
/// -1 for any other method (which only `$default` can take).
int method_index(std::string_view method);
inline constexpr int kAnyMethod = 7;

}  // namespace lambdad::gateway
