#pragma once
/// @brief A function's reply turned into the HTTP response API Gateway sends.
///
/// Format 1.0 (REST, and HTTP API routes on payload 1.0) is strict: a JSON object with only
/// `statusCode` (required: an integer, or a string of one, 200–599), `headers` (scalar values;
/// null ones are left out), `multiValueHeaders` (lists of scalars), `body` (a string or null) and
/// `isBase64Encoded` (a boolean). Anything else is malformed: REST answers 502, an HTTP API 500.
/// `headers` and `multiValueHeaders` are merged: a name's values from `multiValueHeaders`, then
/// its `headers` value unless already among them. With no Content-Type, REST says
/// `application/json` and an HTTP API `text/plain; charset=utf-8`.
///
/// Format 2.0: a JSON object with `statusCode` is read as `{statusCode, headers, cookies, body,
/// isBase64Encoded}` (each cookie becomes a `set-cookie` header); any other valid JSON is the
/// body of a 200 with `content-type: application/json` (a JSON string gives its text). Not JSON
/// at all: 500.
///
/// Framing headers a function sets (Connection, Content-Length, Transfer-Encoding, …) are not
/// passed on: REST renames them `x-amzn-Remapped-<name>` (Date and Server too), as AWS does, and
/// an HTTP API drops them.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdad/gateway/routes.hpp"

namespace lambdad::gateway {

struct MappedResponse {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  ///< in order, repeats allowed
  std::string body;                                          ///< decoded when base64
};

/// Format 1.0. `accept`: the request's Accept header (REST decodes base64 replies only when its
/// first type is one of the API's BinaryMediaTypes). nullopt when malformed, with `why` set.
std::optional<MappedResponse> map_v1_response(std::string_view payload, const ApiInfo& api,
                                              std::string_view accept, std::string& why);

/// Format 2.0 (HTTP APIs). nullopt when malformed, with `why` set.
std::optional<MappedResponse> map_v2_response(std::string_view payload, std::string& why);

}  // namespace lambdad::gateway
