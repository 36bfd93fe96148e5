#pragma once
/// @brief Which bodies API Gateway passes to a function base64-encoded, and which base64 replies
/// it decodes.
///
/// - REST: a request body is base64-encoded when its Content-Type matches one of the API's
///   `BinaryMediaTypes` (exact, `type/*` or `*/*`); a reply with `isBase64Encoded` is decoded
///   only when the request's first `Accept` type matches one of them (else the base64 text is
///   sent as is).
/// - HTTP API: a request body is base64-encoded unless its Content-Type is `text/*`,
///   `application/json`, `application/xml` or `application/javascript` (no Content-Type and
///   `application/x-www-form-urlencoded` are encoded, as AWS does); `isBase64Encoded` replies are
///   always decoded.

#include <string>
#include <string_view>
#include <vector>

namespace lambdad::gateway {

/// `type` (lower-case `type/subtype`) against patterns such as `image/png`, `image/*`, `*/*`.
bool media_type_matches(const std::vector<std::string>& patterns, std::string_view type);

/// HTTP API: whether a request body of this Content-Type is passed as text.
bool http_api_text_type(std::string_view type);

/// The first media type of an Accept header, lower-cased (`*/*` when absent, which only a `*/*`
/// binary media type matches).
std::string first_accept_type(std::string_view accept);

}  // namespace lambdad::gateway
