#pragma once
/// @brief Collects every error and warning found while loading one template.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::deploy {

class Problems {
 public:
  void error(int line, std::string message);
  void warning(int line, std::string message);

  bool has_errors() const { return !errors_.empty(); }
  size_t error_count() const { return errors_.size(); }
  /// Sorted by line; template order among equal lines.
  std::vector<TemplateProblem> errors() const;
  std::vector<TemplateProblem> warnings() const;

 private:
  // The same problem can be reached twice (a Globals value merged into every function, a
  // FunctionName resolved both for a Ref and for the function itself): say it once.
  static void add(std::vector<TemplateProblem>& list, std::set<std::pair<int, std::string>>& seen,
                  int line, std::string message);

  std::vector<TemplateProblem> errors_;
  std::vector<TemplateProblem> warnings_;
  std::set<std::pair<int, std::string>> seen_errors_;
  std::set<std::pair<int, std::string>> seen_warnings_;
};

}  // namespace lambdad::deploy
