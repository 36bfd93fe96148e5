#include "lambdad/gateway/cors.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "lambdad/common/encoding.hpp"

namespace lambdad::gateway {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

bool contains_star(const std::vector<std::string>& items) {
  return std::find(items.begin(), items.end(), "*") != items.end();
}

bool contains_nocase(const std::vector<std::string>& items, std::string_view wanted) {
  const std::string key = ascii_lower(wanted);
  return std::any_of(items.begin(), items.end(),
                     [&](const std::string& item) { return ascii_lower(item) == key; });
}

/// `https://*.example.com` matches `https://a.example.com` (and deeper subdomains).
bool wildcard_match(std::string_view pattern, std::string_view origin) {
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return false;
  const std::string_view prefix = pattern.substr(0, star);
  const std::string_view suffix = pattern.substr(star + 1);
  return origin.size() > prefix.size() + suffix.size() && origin.starts_with(prefix) &&
         origin.ends_with(suffix);
}

}  // namespace

std::string rest_path_methods(const std::vector<std::string>& methods) {
  std::set<std::string> all{"OPTIONS"};
  for (const auto& method : methods) {
    if (ascii_upper(method) == "ANY") {
      all.insert({"DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"});
    } else {
      all.insert(ascii_upper(method));
    }
  }
  return join(std::vector<std::string>(all.begin(), all.end()));
}

HeaderList rest_preflight_headers(const CorsConfig& cors, const std::string& path_methods) {
  HeaderList out;
  if (!cors.allow_headers.empty()) {
    out.emplace_back("Access-Control-Allow-Headers", join(cors.allow_headers));
  }
  out.emplace_back("Access-Control-Allow-Methods",
                   cors.allow_methods.empty() ? path_methods : join(cors.allow_methods));
  out.emplace_back("Access-Control-Allow-Origin", join(cors.allow_origins));
  if (!cors.max_age.empty()) out.emplace_back("Access-Control-Max-Age", cors.max_age);
  if (cors.allow_credentials) out.emplace_back("Access-Control-Allow-Credentials", "true");
  return out;
}

bool origin_allowed(const CorsConfig& cors, std::string_view origin) {
  const std::string key = ascii_lower(origin);
  for (const auto& allowed : cors.allow_origins) {
    if (allowed == "*") return true;
    const std::string pattern = ascii_lower(allowed);
    if (pattern == key || wildcard_match(pattern, key)) return true;
  }
  return false;
}

namespace {

/// The Access-Control-Allow-Origin of an allowed origin: `*` when every origin is allowed
/// (and credentials are not), else the origin itself.
std::string allow_origin_value(const CorsConfig& cors, std::string_view origin) {
  if (contains_star(cors.allow_origins) && !cors.allow_credentials) return "*";
  return std::string(origin);
}

}  // namespace

HeaderList http_preflight_headers(const CorsConfig& cors, std::string_view origin,
                                  std::string_view request_method,
                                  std::string_view request_headers) {
  HeaderList out;
  if (!origin_allowed(cors, origin)) return out;
  if (!contains_star(cors.allow_methods) && !contains_nocase(cors.allow_methods, request_method)) {
    return out;
  }
  std::vector<std::string> requested;
  size_t start = 0;
  while (start <= request_headers.size()) {
    size_t comma = request_headers.find(',', start);
    if (comma == std::string_view::npos) comma = request_headers.size();
    std::string_view item = trim_space(request_headers.substr(start, comma - start));
    if (!item.empty()) requested.push_back(ascii_lower(item));
    start = comma + 1;
  }
  const bool any_header = contains_star(cors.allow_headers);
  for (const auto& name : requested) {
    if (!any_header && !contains_nocase(cors.allow_headers, name)) return out;
  }
  out.emplace_back("Access-Control-Allow-Origin", allow_origin_value(cors, origin));
  if (cors.allow_credentials) out.emplace_back("Access-Control-Allow-Credentials", "true");
  // A `*` list answers with what was asked: browsers take `*` only without credentials.
  out.emplace_back("Access-Control-Allow-Methods", contains_star(cors.allow_methods)
                                                       ? ascii_upper(request_method)
                                                       : join(cors.allow_methods));
  if (!requested.empty()) {
    out.emplace_back("Access-Control-Allow-Headers",
                     any_header ? join(requested) : ascii_lower(join(cors.allow_headers)));
  }
  if (!cors.max_age.empty()) out.emplace_back("Access-Control-Max-Age", cors.max_age);
  return out;
}

void apply_http_cors(const CorsConfig& cors, const std::string* origin, HeaderList& headers) {
  std::erase_if(headers, [](const auto& header) {
    return ascii_lower(header.first).starts_with("access-control-");
  });
  if (!origin || !origin_allowed(cors, *origin)) return;
  headers.emplace_back("Access-Control-Allow-Origin", allow_origin_value(cors, *origin));
  if (cors.allow_credentials) headers.emplace_back("Access-Control-Allow-Credentials", "true");
  if (!cors.expose_headers.empty()) {
    headers.emplace_back("Access-Control-Expose-Headers", join(cors.expose_headers));
  }
}

}  // namespace lambdad::gateway
