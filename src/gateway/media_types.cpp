#include "lambdad/gateway/media_types.hpp"

#include <boost/beast/core/string.hpp>

#include "lambdad/gateway/request.hpp"

namespace lambdad::gateway {

bool media_type_matches(const std::vector<std::string>& patterns, std::string_view type) {
  if (type.empty()) return false;
  const std::string_view major = type.substr(0, type.find('/'));
  for (const auto& pattern : patterns) {
    if (pattern == "*/*") return true;
    if (boost::beast::iequals(pattern, type)) return true;
    if (pattern.ends_with("/*") &&
        boost::beast::iequals(std::string_view(pattern).substr(0, pattern.size() - 2), major)) {
      return true;
    }
  }
  return false;
}

bool http_api_text_type(std::string_view type) {
  return type.starts_with("text/") || type == "application/json" || type == "application/xml" ||
         type == "application/javascript";
}

std::string first_accept_type(std::string_view accept) {
  std::string type = media_type(accept.substr(0, accept.find(',')));
  return type.empty() ? "*/*" : type;  // no Accept: anything
}

}  // namespace lambdad::gateway
