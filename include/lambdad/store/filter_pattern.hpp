#pragma once
/// @brief CloudWatch Logs filter patterns for unstructured log events: `ERROR` (contains),
/// `ERROR Exception` (all), `"exact phrase"`, `?ERROR ?WARN` (any), `-DEBUG` (none). Matching
/// is case-sensitive substring search, as on AWS. An empty pattern matches every event.

#include <string>
#include <string_view>
#include <vector>

namespace lambdad::store {

class FilterPattern {
 public:
  /// Throws lambdad::AwsError (400 InvalidParameterException) for malformed patterns and for
  /// the JSON (`{ $.x = 1 }`), space-delimited (`[a, b]`) and regex (`%…%`) forms lambdad
  /// does not evaluate.
  static FilterPattern parse(std::string_view pattern);

  bool matches(std::string_view message) const;
  bool matches_everything() const { return all_.empty() && any_.empty() && none_.empty(); }

 private:
  std::vector<std::string> all_;   ///< plain terms and phrases: every one must occur
  std::vector<std::string> any_;   ///< `?` terms: at least one must occur, when there are any
  std::vector<std::string> none_;  ///< `-` terms: none may occur
};

}  // namespace lambdad::store
