#include "problems.hpp"

#include <algorithm>

namespace lambdad::deploy {

namespace {

std::vector<TemplateProblem> sorted(std::vector<TemplateProblem> list) {
  std::stable_sort(
      list.begin(), list.end(),
      [](const TemplateProblem& a, const TemplateProblem& b) { return a.line < b.line; });
  return list;
}

}  // namespace

void Problems::add(std::vector<TemplateProblem>& list, std::set<std::pair<int, std::string>>& seen,
                   int line, std::string message) {
  if (!seen.emplace(line, message).second) return;
  list.push_back({line, std::move(message)});
}

void Problems::error(int line, std::string message) {
  add(errors_, seen_errors_, line, std::move(message));
}

void Problems::warning(int line, std::string message) {
  add(warnings_, seen_warnings_, line, std::move(message));
}

std::vector<TemplateProblem> Problems::errors() const {
  return sorted(errors_);
}

std::vector<TemplateProblem> Problems::warnings() const {
  return sorted(warnings_);
}

}  // namespace lambdad::deploy
