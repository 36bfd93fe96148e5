#pragma once
/// @brief What a request says about its SigV4 signature, read from its `Authorization` header
/// (`AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b,
/// Signature=HEX`) or its presigned query (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
/// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`, `X-Amz-Security-Token`). Parsing
/// checks the form only; verifier.hpp checks the keys, the clock and the signature.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lambdad/http/server.hpp"

namespace lambdad::auth {

struct SignatureClaim {
  bool presigned = false;  ///< query form
  std::string access_key;
  std::string date;                         ///< the scope's YYYYMMDD
  std::string region;                       ///< the scope's region: any
  std::string service;                      ///< the scope's service
  std::vector<std::string> signed_headers;  ///< lower case, in the client's order
  std::string signature;                    ///< as sent (compared to 64 lower-case hex digits)
  std::string amz_date;                     ///< YYYYMMDDTHHMMSSZ
  std::optional<int64_t> expires_s;         ///< presigned: X-Amz-Expires, 1 … 604800
  std::string session_token;                ///< X-Amz-Security-Token, when sent
};

/// The request's claim; nullopt when it carries no signature at all. Throws AuthError
/// (kIncomplete) for half a signature or a malformed part, with AWS's style of message.
std::optional<SignatureClaim> read_claim(const http::RequestHeader& header);

/// Seconds since the epoch of an X-Amz-Date (YYYYMMDDTHHMMSSZ); nullopt when malformed.
std::optional<int64_t> parse_amz_date(std::string_view text);
/// The X-Amz-Date of a time (seconds since the epoch).
std::string format_amz_date(int64_t seconds);

}  // namespace lambdad::auth
