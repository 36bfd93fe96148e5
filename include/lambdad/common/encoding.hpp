#pragma once
/// @brief Base64 and URL percent-decoding.

#include <optional>
#include <string>
#include <string_view>

namespace lambdad {

/// ASCII lower case (header names, HTTP methods, media types).
std::string ascii_lower(std::string_view text);

/// ASCII upper case (HTTP methods, enum-like template values).
std::string ascii_upper(std::string_view text);

/// Without leading and trailing spaces and tabs (HTTP's optional whitespace around field values).
std::string_view trim_ows(std::string_view text);

/// Without leading and trailing whitespace of any kind (isspace: template values, header lists).
std::string_view trim_space(std::string_view text);

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
