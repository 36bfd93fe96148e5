// The JWT authorizer's parsing of untrusted text: a bearer token decoded and checked against a
// key set (an HS256 `oct` key, so the signature path runs) and claim rules, the claims as the
// event hands them on, and the same bytes read as a JWKS document.

#include "lambdad/gateway/jwt.hpp"
#include "lambdad/http/error_response.hpp"

namespace {

using namespace lambdad::gateway;

const JwkSet& keys() {
  static const JwkSet set = [] {
    std::string why;
    auto parsed = parse_jwks(
        R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQ"}]})",
        why);
    if (!parsed || parsed->keys.size() != 1) __builtin_trap();
    return *parsed;
  }();
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto jwt = decode_jwt(bearer_token(text))) {
    const JwtRules rules{.issuer = "https://issuer.example.com",
                         .audiences = {"aud1", "aud2"},
                         .scopes = {"read"},
                         .now = 1700000000};
    const JwtError error = verify_jwt(*jwt, keys(), rules);
    (void)describe(error);
    (void)check_claims(*jwt, rules);
    (void)token_scopes(jwt->claims);
    (void)lambdad::http::dump_lenient(event_claims(jwt->claims));
  }
  std::string why;
  std::vector<std::string> skipped;
  (void)parse_jwks(text, why, &skipped);
  return 0;
}
