#include "lambdad/gateway/route_table.hpp"

#include <algorithm>
#include <utility>

#include "lambdad/common/check.hpp"
#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {

struct RouteTable::Node {
  std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> literal;
  std::unique_ptr<Node> param;            ///< a `{name}` segment
  std::unique_ptr<Node> greedy;           ///< a `{name+}` segment (always the last one)
  std::array<const Route*, 8> methods{};  ///< by method_index; [kAnyMethod] is ANY
  bool rest = false;                      ///< a REST route is defined on this resource

  const Route* find(int method) const {
    if (method >= 0 && methods[static_cast<size_t>(method)]) {
      return methods[static_cast<size_t>(method)];
    }
    return method >= 0 ? methods[kAnyMethod] : nullptr;
  }
};

namespace {

constexpr std::array<std::string_view, 8> kMethods = {"GET",   "POST", "PUT",     "DELETE",
                                                      "PATCH", "HEAD", "OPTIONS", "ANY"};

/// A route's path split on `/` (empty segments dropped).
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_variable(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

int method_index(std::string_view method) {
  for (size_t i = 0; i < kMethods.size(); ++i) {
    if (kMethods[i] == method) return static_cast<int>(i);
  }
  return -1;
}

RouteTable::RouteTable() : root_(std::make_unique<Node>()) {}
RouteTable::~RouteTable() = default;
RouteTable::RouteTable(RouteTable&&) noexcept = default;
RouteTable& RouteTable::operator=(RouteTable&&) noexcept = default;

const Route* RouteTable::add(Route& route) {
  if (route.is_default) return std::exchange(default_, &route);
  Node* node = root_.get();
  route.params.clear();
  const auto segments = split(route.path);
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view segment = segments[i];
    std::unique_ptr<Node>* child = nullptr;
    if (is_variable(segment)) {
      std::string_view name = segment.substr(1, segment.size() - 2);
      // `{proxy+}` is greedy only as the last segment (the loader's check); elsewhere it is an
      // ordinary variable, as API Gateway would refuse the template anyway.
      const bool greedy = name.ends_with('+') && i + 1 == segments.size();
      if (greedy) name.remove_suffix(1);
      route.params.emplace_back(name);
      child = greedy ? &node->greedy : &node->param;
    } else {
      auto it = node->literal.find(segment);
      if (it == node->literal.end()) {
        it = node->literal.emplace(std::string(segment), nullptr).first;
      }
      child = &it->second;
    }
    if (!*child) {
      *child = std::make_unique<Node>();
      ++nodes_;
    }
    node = child->get();
  }
  const int method = method_index(route.method);
  LAMBDAD_CHECK(method >= 0);  // the loader accepts only these methods
  if (route.api && route.api->kind == ApiKind::kRest) node->rest = true;
  return std::exchange(node->methods[static_cast<size_t>(method)], &route);
}

Match RouteTable::match(std::string_view method_name,
                        const std::vector<std::string>& segments) const {
  const int method = method_index(method_name);
  Match result;
  struct Greedy {
    const Node* node;
    size_t depth;  ///< index of the first segment the greedy variable takes
    std::vector<std::string_view> captured;
  };
  std::vector<std::string_view> captured;
  std::vector<Greedy> greedy;

  auto finish = [&](const Route* route, const std::vector<std::string_view>& values) {
    result.kind = MatchKind::kRoute;
    result.route = route;
    result.values.assign(values.begin(), values.end());
  };

  // Depth-first, literal segments before variables: the first node that takes the whole path
  // with the method (or ANY) is the most specific full match. Greedy nodes are noted on the way
  // out, so deeper (longer literal prefix) ones come first.
  auto visit = [&](auto& self, const Node& node, size_t depth) -> bool {
    if (depth == segments.size()) {
      if (const Route* route = node.find(method)) {
        finish(route, captured);
        return true;
      }
      if (node.rest &&
          std::any_of(node.methods.begin(), node.methods.end(), [](auto* r) { return r; })) {
        result.kind = MatchKind::kNoMethod;
        return true;
      }
      return false;
    }
    const std::string& segment = segments[depth];
    if (auto it = node.literal.find(std::string_view(segment)); it != node.literal.end()) {
      if (self(self, *it->second, depth + 1)) return true;
    }
    if (node.param) {
      captured.push_back(segment);
      if (self(self, *node.param, depth + 1)) return true;
      captured.pop_back();
    }
    if (node.greedy) greedy.push_back(Greedy{node.greedy.get(), depth, captured});
    return false;
  };
  if (visit(visit, *root_, 0)) return result;

  for (const Greedy& candidate : greedy) {
    const Node& node = *candidate.node;
    if (const Route* route = node.find(method)) {
      std::string rest;
      for (size_t i = candidate.depth; i < segments.size(); ++i) {
        if (!rest.empty()) rest.push_back('/');
        rest += segments[i];
      }
      finish(route, candidate.captured);
      result.values.push_back(std::move(rest));
      return result;
    }
    if (node.rest) {
      result.kind = MatchKind::kNoMethod;
      return result;
    }
  }
  if (default_) {
    result.kind = MatchKind::kRoute;
    result.route = default_;
  }
  return result;
}

}  // namespace lambdad::gateway
