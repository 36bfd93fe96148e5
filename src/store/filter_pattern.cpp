#include "lambdad/store/filter_pattern.hpp"

#include <algorithm>

#include "lambdad/common/aws_error.hpp"

namespace lambdad::store {
namespace {

AwsError invalid(const std::string& message) {
  return AwsError(400, "InvalidParameterException", message);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

void reject_unsupported_forms(std::string_view pattern) {
  const char* form = nullptr;
  if (pattern.front() == '{') form = "JSON filter patterns ({ $.field = value })";
  if (pattern.front() == '[') form = "space-delimited filter patterns ([field1, field2])";
  if (pattern.size() >= 2 && pattern.front() == '%' && pattern.back() == '%') {
    form = "regular-expression filter patterns (%regex%)";
  }
  if (form) {
    throw invalid(std::string(form) +
                  " are not supported by lambdad; use terms, \"quoted phrases\", ?alternatives "
                  "and -exclusions");
  }
}

/// Reads a quoted phrase starting at text[pos] == '"'; `\"` and `\\` escape.
std::string read_phrase(std::string_view text, size_t& pos) {
  std::string phrase;
  for (++pos; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '"') {
      ++pos;
      return phrase;
    }
    if (c == '\\' && pos + 1 < text.size() && (text[pos + 1] == '"' || text[pos + 1] == '\\')) {
      ++pos;
    }
    phrase += text[pos];
  }
  throw invalid("Invalid filter pattern: unterminated quoted phrase in '" + std::string(text) +
                "'");
}

std::string read_word(std::string_view text, size_t& pos) {
  const size_t start = pos;
  while (pos < text.size() && !is_space(text[pos])) ++pos;
  return std::string(text.substr(start, pos - start));
}

bool contains(std::string_view message, const std::string& term) {
  return message.find(term) != std::string_view::npos;
}

}  // namespace

FilterPattern FilterPattern::parse(std::string_view pattern) {
  FilterPattern result;
  pattern = trim(pattern);
  if (pattern.empty()) return result;
  reject_unsupported_forms(pattern);
  size_t pos = 0;
  while (pos < pattern.size()) {
    if (is_space(pattern[pos])) {
      ++pos;
      continue;
    }
    auto* target = &result.all_;
    if (pattern[pos] == '?' || pattern[pos] == '-') {
      target = pattern[pos] == '?' ? &result.any_ : &result.none_;
      if (++pos == pattern.size() || is_space(pattern[pos])) {
        throw invalid("Invalid filter pattern: '" + std::string(1, pattern[pos - 1]) +
                      "' must be followed by a term");
      }
    }
    target->push_back(pattern[pos] == '"' ? read_phrase(pattern, pos) : read_word(pattern, pos));
  }
  return result;
}

bool FilterPattern::matches(std::string_view message) const {
  const auto in_message = [message](const std::string& term) { return contains(message, term); };
  return std::all_of(all_.begin(), all_.end(), in_message) &&
         std::none_of(none_.begin(), none_.end(), in_message) &&
         (any_.empty() || std::any_of(any_.begin(), any_.end(), in_message));
}

}  // namespace lambdad::store
