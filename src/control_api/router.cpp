#include "router.hpp"

#include <openssl/rand.h>

#include "lambdad/common/encoding.hpp"
#include "lambdad/http/error_response.hpp"

namespace lambdad::control_api {

bool match_path(std::string_view pattern, std::string_view path,
                std::array<std::string_view, 2>& params) {
  if (pattern.ends_with("/?")) {
    pattern.remove_suffix(2);
    if (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
  }
  size_t captured = 0;
  // Both sides are '/'-separated segments; compare them one by one.
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view expected = pattern.substr(0, pattern.find('/'));
    const std::string_view segment = path.substr(0, path.find('/'));
    if (expected == "{}") {
      if (captured == params.size()) return false;
      params[captured++] = segment;
    } else if (expected != segment) {
      return false;
    }
    pattern.remove_prefix(expected.size());
    path.remove_prefix(segment.size());
  }
  return pattern.empty() && path.empty();
}

std::string query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true).value_or("");
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

std::vector<std::string> query_params(std::string_view query, std::string_view key) {
  std::vector<std::string> values;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      values.push_back(
          eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true).value_or(""));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return values;
}

std::string path_param(std::string_view segment) {
  return url_decode(segment).value_or(std::string(segment));
}

std::string random_key() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return key;
}

AwsError unknown_operation() {
  return {404, "UnknownOperationException", "Unknown operation", AwsError::Key::kMessage};
}

AwsError unsupported_operation(std::string_view operation) {
  return {404, "UnknownOperationException",
          "lambdad does not support the Lambda operation " + std::string(operation),
          AwsError::Key::kMessage};
}

http::Response json_response(const http::Request& request, unsigned status,
                             const nlohmann::json& body, std::string_view request_id) {
  auto r = http::make_response(request, status, http::dump_lenient(body));
  r.set("x-amzn-RequestId", request_id);
  return r;
}

}  // namespace lambdad::control_api
