#pragma once
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies (`aws-chunked`): each chunk
// `HEX-SIZE;chunk-signature=SIG\r\nDATA\r\n`, ending with a chunk of size 0, each signature
// chaining the previous one (the request's signature seeds the chain).

#include <string>
#include <string_view>

namespace lambdad::auth {

struct ChunkChain {
  std::string_view signing_key;  ///< raw kSigning of the request's scope
  std::string_view amz_date;
  std::string_view scope;
  std::string_view seed_signature;  ///< the request's signature
};

/// The payload of an aws-chunked body whose every chunk signature holds. Throws AuthError:
/// kIncomplete for a malformed body, kBadSignature for a chunk whose signature does not match.
std::string decode_signed_chunks(std::string_view body, const ChunkChain& chain);

/// Constant-time equality (CRYPTO_memcmp; the lengths are not secret).
bool same(std::string_view a, std::string_view b);

}  // namespace lambdad::auth
