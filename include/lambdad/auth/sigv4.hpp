#pragma once
/// @brief AWS Signature Version 4, the pieces of AWS's documented algorithm ("Create a signed AWS
/// API request"): the canonical request, the string to sign, the signing key and the signature.
/// Pure functions of their inputs (no clock, no keys), so the unit tests check each against
/// vectors and the verifier (verifier.hpp) composes them. HMAC and SHA-256 are OpenSSL's.
///
/// Thread safety: none of these functions has state.

#include <string>
#include <string_view>
#include <vector>

#include "lambdad/http/server.hpp"

namespace lambdad::auth {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
/// x-amz-content-sha256 values that are not a digest of the body.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
/// Raw HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// RFC 3986 percent-encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - _ . ~ (and '/' when
/// `keep_slash`) as %XY with upper-case hex; a space is %20, never '+'.
std::string uri_encode(std::string_view text, bool keep_slash);

/// The canonical URI of a request path as it came on the wire (still percent-encoded once):
/// dot segments and empty segments removed (a trailing '/' kept), then every segment encoded
/// again, as the SDKs do for every service but S3. "" becomes "/".
std::string canonical_uri(std::string_view raw_path);

/// The canonical query string of a raw query (after '?'): each name and value percent-decoded
/// and re-encoded strictly, sorted by name then value, `name=value` joined by '&' (a parameter
/// without '=' has an empty value). `X-Amz-Signature` is left out when `presigned`.
std::string canonical_query(std::string_view raw_query, bool presigned);

/// A header's canonical value: its values in order, each trimmed with runs of spaces and tabs
/// folded to one space, joined by ','.
std::string canonical_header_value(const http::RequestHeader& header, std::string_view name);

/// The canonical request (method, URI, query, headers, signed header list, payload hash, one a
/// line). `signed_headers` are lower case, in the order the client listed them.
std::string canonical_request(const http::RequestHeader& header, bool presigned,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash);

/// `date/region/service/aws4_request`.
std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);

/// The string to sign for a canonical request signed at `amz_date` (YYYYMMDDTHHMMSSZ).
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);

/// kSigning = HMAC chain "AWS4"+secret → date → region → service → "aws4_request" (raw bytes).
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

/// Lower-case hex HMAC of `text` under `key`.
std::string signature(std::string_view key, std::string_view text);

/// The string to sign of one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body: the previous
/// signature (the request's for the first chunk) chained into the chunk's.
std::string chunk_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view previous_signature, std::string_view chunk);

}  // namespace lambdad::auth
