#include "chunked_payload.hpp"

#include <openssl/crypto.h>

#include <charconv>

#include "lambdad/auth/auth_error.hpp"
#include "lambdad/auth/sigv4.hpp"

namespace lambdad::auth {
namespace {

[[noreturn]] void malformed(const std::string& why) {
  throw AuthError(Failure::kIncomplete, "The aws-chunked request body is malformed: " + why);
}

}  // namespace

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string decode_signed_chunks(std::string_view body, const ChunkChain& chain) {
  static constexpr std::string_view kSignatureKey = "chunk-signature=";
  std::string payload;
  std::string previous(chain.seed_signature);
  for (size_t at = 0, index = 0;; ++index) {
    const size_t eol = body.find("\r\n", at);
    if (eol == std::string_view::npos)
      malformed("chunk " + std::to_string(index) + " has no header line");
    const std::string_view line = body.substr(at, eol - at);
    const size_t semi = line.find(';');
    if (semi == std::string_view::npos || !line.substr(semi + 1).starts_with(kSignatureKey)) {
      malformed("chunk " + std::to_string(index) + " has no chunk-signature");
    }
    const std::string_view size_text = line.substr(0, semi);
    const std::string_view sent = line.substr(semi + 1 + kSignatureKey.size());
    size_t size = 0;
    auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (ec != std::errc() || end != size_text.data() + size_text.size() || size_text.empty()) {
      malformed("chunk " + std::to_string(index) + " has a bad size '" + std::string(size_text) +
                "'");
    }
    const size_t data_at = eol + 2;
    if (size > body.size() - data_at || body.size() - data_at - size < 2 ||
        body.substr(data_at + size, 2) != "\r\n") {
      malformed("chunk " + std::to_string(index) + " is shorter than its size " +
                std::to_string(size));
    }
    const std::string_view data = body.substr(data_at, size);
    std::string expected = signature(
        chain.signing_key, chunk_string_to_sign(chain.amz_date, chain.scope, previous, data));
    if (!same(expected, sent)) {
      throw AuthError(Failure::kBadSignature,
                      "The signature of chunk " + std::to_string(index) +
                          " of the aws-chunked request body does not match the signature "
                          "calculated for it.");
    }
    previous = std::move(expected);
    payload.append(data);
    at = data_at + size + 2;
    if (size == 0) {
      if (at != body.size()) malformed("bytes after the final chunk");
      return payload;
    }
  }
}

}  // namespace lambdad::auth
