#pragma once
/// @brief JSON Web Tokens as an HTTP API's JWT authorizer checks them (OpenSSL for the
/// signatures): decode, find the key by `kid`, verify the signature, then the claims in AWS's
/// order (`iss`, `aud` or `client_id`, `exp`, `nbf`, `iat`, `scope` or `scp`), with no clock
/// skew allowed.
///
/// Algorithms: RS256, RS384, RS512 with the JWKS's RSA keys (what AWS accepts), and, for local
/// use, HS256, HS384, HS512 with its `oct` keys (`k`). `none` and everything else are refused;
/// an RSA key never verifies an HS token and an `oct` key never an RS one.
///
/// Thread safety: plain values and pure functions; a JwkSet is immutable once parsed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

typedef struct evp_pkey_st EVP_PKEY;

namespace lambdad::gateway {

/// One usable key of a JWKS.
struct Jwk {
  std::string kid;
  std::string alg;                ///< "" when the JWKS does not pin one
  std::shared_ptr<EVP_PKEY> rsa;  ///< `kty: RSA` (public)
  std::string secret;             ///< `kty: oct`: the decoded `k`
};

struct JwkSet {
  std::vector<Jwk> keys;
  /// The key with this kid that can verify `alg`; nullptr when none.
  const Jwk* find(std::string_view kid, std::string_view alg) const;
};

/// A JWKS document (`{"keys":[…]}`). Keys lambdad cannot use (EC, `use: enc`, RSA under 2048
/// bits, malformed) are left out, each named in `skipped`. nullopt (with `why`) when the text is
/// not a JWKS at all.
std::optional<JwkSet> parse_jwks(std::string_view text, std::string& why,
                                 std::vector<std::string>* skipped = nullptr);

/// A token split and decoded, not yet verified.
struct Jwt {
  nlohmann::json header;
  nlohmann::json claims;
  std::string alg;
  std::string kid;
  std::string signing_input;  ///< `header.payload` as sent
  std::string signature;      ///< decoded
};

/// nullopt when not three base64url parts holding a JSON object header and claims.
std::optional<Jwt> decode_jwt(std::string_view token);

/// RS256/384/512 and HS256/384/512.
bool supported_alg(std::string_view alg);

bool verify_signature(const Jwt& jwt, const Jwk& key);

enum class JwtError {
  kNone,
  kMissing,          ///< no token in the identity source
  kMalformed,        ///< not a JWT
  kAlgorithm,        ///< alg none or unsupported
  kUnknownKey,       ///< no key with the token's kid (or none that fits its alg)
  kSignature,        ///< the signature does not verify
  kIssuer,           ///< iss is not the authorizer's issuer
  kAudience,         ///< neither aud nor (without aud) client_id is an accepted audience
  kNoExpiry,         ///< exp is missing or not a number
  kExpired,          ///< exp is not after now
  kNotYetValid,      ///< nbf is after now
  kIssuedLater,      ///< iat is after now
  kScope,            ///< none of the route's scopes is in the token (403, not 401)
  kKeysUnavailable,  ///< the issuer's keys could not be fetched
};

/// The `error_description` of the `www-authenticate` header (AWS's wording where it publishes
/// one: "the token does not have a valid audience").
const char* describe(JwtError error);

struct JwtRules {
  std::string issuer;
  std::vector<std::string> audiences;
  std::vector<std::string> scopes;  ///< the route's AuthorizationScopes; empty: no scope check
  int64_t now = 0;                  ///< epoch seconds
};

/// The claim checks, in AWS's order; kNone when the token passes.
JwtError check_claims(const Jwt& jwt, const JwtRules& rules);

/// Algorithm, key lookup by kid, signature, then the claims: the whole check against a key set.
JwtError verify_jwt(const Jwt& jwt, const JwkSet& keys, const JwtRules& rules);

/// The token's scopes: `scp` (a list or a space-separated string), else `scope`.
std::vector<std::string> token_scopes(const nlohmann::json& claims);

/// The claims as API Gateway hands them to the integration: every value a string (numbers and
/// booleans as text, lists as `[a b c]`, objects as JSON text), null ones left out.
nlohmann::json event_claims(const nlohmann::json& claims);

/// The token of an identity source value: `Bearer <token>` or the bare token.
std::string_view bearer_token(std::string_view value);

}  // namespace lambdad::gateway
