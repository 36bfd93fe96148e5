#pragma once
/// @brief What the lambda port reads from a request before any handler runs: the body limit it
/// grants from the header, and the path and query matching of its routes (router.hpp's table).
/// Pure functions over untrusted text (tests/fuzz/http_request.cpp feeds them).

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/http/server.hpp"

namespace lambdad::control_api {

/// Whether `path` (without its query) fits `pattern` (literal segments, `{}` for any one
/// segment, a final `/?` for an optional trailing slash); fills `params` with the `{}` segments.
bool match_path(std::string_view pattern, std::string_view path,
                std::array<std::string_view, 2>& params);

/// The query parameter `key`, percent-decoded ("" when absent).
std::string query_param(std::string_view query, std::string_view key);
/// Every value of the query parameter `key` (repeated, as UntagResource's tagKeys), decoded.
std::vector<std::string> query_params(std::string_view query, std::string_view key);
/// A path segment, percent-decoded (as it came when it does not decode).
std::string path_param(std::string_view segment);

/// The body limit of a request on the lambda port: 6 MB on Invoke, refused from its header.
http::BodyPolicy body_policy(const http::RequestHeader& header);
http::Response body_too_large(const http::RequestHeader& header);

}  // namespace lambdad::control_api
