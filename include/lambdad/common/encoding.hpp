#pragma once
/// @brief Base64 and URL percent-decoding.

#include <optional>
#include <string>
#include <string_view>

namespace lambdad {

/// ASCII lower case (header names, HTTP methods, media types).
std::string ascii_lower(std::string_view text);

/// Lower-case hex of raw bytes (digests).
std::string hex_lower(std::string_view bytes);

std::string base64_encode(std::string_view data);
/// nullopt when `text` is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);
/// The URL-safe alphabet without padding (JWTs, JWKs); nullopt on any other character.
std::optional<std::string> base64url_decode(std::string_view text);
/// nullopt on a malformed escape. `plus_is_space` for query strings.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space = false);

}  // namespace lambdad
