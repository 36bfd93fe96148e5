#include "lambdad/gateway/jwt.hpp"

#include <algorithm>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/json_member.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;

constexpr int kMinRsaBits = 2048;

const EVP_MD* digest_of(std::string_view alg) {
  if (alg.size() != 5) return nullptr;
  const std::string_view bits = alg.substr(2);
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

bool is_rsa_alg(std::string_view alg) {
  return alg.starts_with("RS") && digest_of(alg);
}
bool is_hmac_alg(std::string_view alg) {
  return alg.starts_with("HS") && digest_of(alg);
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

Bignum bignum(const std::string& bytes) {
  return Bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr));
}

/// An RSA public key from a JWK's base64url `n` and `e`.
std::shared_ptr<EVP_PKEY> rsa_key(const json& jwk, std::string& why) {
  const auto n_text = jwk.value("n", json()), e_text = jwk.value("e", json());
  if (!n_text.is_string() || !e_text.is_string()) {
    why = "an RSA key needs n and e";
    return nullptr;
  }
  auto n_bytes = base64url_decode(n_text.get<std::string>());
  auto e_bytes = base64url_decode(e_text.get<std::string>());
  if (!n_bytes || !e_bytes || n_bytes->empty() || e_bytes->empty()) {
    why = "n or e is not base64url";
    return nullptr;
  }
  Bignum n = bignum(*n_bytes), e = bignum(*e_bytes);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!n || !e || !builder ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    why = "out of memory";
    return nullptr;
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyContext ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    why = "not a valid RSA public key";
    return nullptr;
  }
  std::shared_ptr<EVP_PKEY> out(key, EVP_PKEY_free);
  if (EVP_PKEY_get_bits(key) < kMinRsaBits) {
    why = "RSA keys must have at least 2048 bits";
    return nullptr;
  }
  return out;
}

/// One entry of `keys`: the usable key, or nullopt with `why`.
std::optional<Jwk> read_jwk(const json& entry, std::string& why) {
  if (!entry.is_object()) {
    why = "not an object";
    return std::nullopt;
  }
  Jwk key;
  const json kid = entry.value("kid", json()), alg = entry.value("alg", json());
  if (kid.is_string()) key.kid = kid.get<std::string>();
  if (alg.is_string()) key.alg = alg.get<std::string>();
  // Members of the wrong type are read as absent or wrong, never thrown on (nlohmann's value()
  // throws when the member is there with another type).
  if (const json* use = json_member(entry, "use"); use && *use != "sig") {
    why = "use is not sig";
    return std::nullopt;
  }
  const json& kty_value = json_value(entry, "kty");
  const std::string kty = kty_value.is_string() ? kty_value.get<std::string>() : "";
  if (kty == "RSA") {
    if (!key.alg.empty() && !is_rsa_alg(key.alg)) {
      why = "alg " + key.alg + " is not RS256, RS384 or RS512";
      return std::nullopt;
    }
    key.rsa = rsa_key(entry, why);
    if (!key.rsa) return std::nullopt;
    return key;
  }
  if (kty == "oct") {
    const json k = entry.value("k", json());
    auto secret = k.is_string() ? base64url_decode(k.get<std::string>()) : std::nullopt;
    if (!secret || secret->empty()) {
      why = "an oct key needs a base64url k";
      return std::nullopt;
    }
    if (!key.alg.empty() && !is_hmac_alg(key.alg)) {
      why = "alg " + key.alg + " is not HS256, HS384 or HS512";
      return std::nullopt;
    }
    key.secret = std::move(*secret);
    return key;
  }
  why = "kty " + (kty.empty() ? std::string("(none)") : kty) + " is not RSA or oct";
  return std::nullopt;
}

std::optional<json> decode_part(std::string_view part) {
  auto text = base64url_decode(part);
  if (!text) return std::nullopt;
  json value = json::parse(*text, nullptr, false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

bool verify_rsa(const Jwt& jwt, const Jwk& key) {
  DigestContext ctx(EVP_MD_CTX_new());
  return ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, digest_of(jwt.alg), nullptr, key.rsa.get()) ==
             1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(jwt.signature.data()),
                          jwt.signature.size(),
                          reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
                          jwt.signing_input.size()) == 1;
}

bool verify_hmac(const Jwt& jwt, const Jwk& key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(digest_of(jwt.alg), key.secret.data(), static_cast<int>(key.secret.size()),
            reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
            jwt.signing_input.size(), mac, &length)) {
    return false;
  }
  return jwt.signature.size() == length && CRYPTO_memcmp(mac, jwt.signature.data(), length) == 0;
}

/// A NumericDate claim; nullopt when absent or not a number.
std::optional<double> time_claim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

bool accepted_audience(const json& claims, const std::vector<std::string>& audiences) {
  auto accepted = [&](const json& value) {
    return value.is_string() && std::find(audiences.begin(), audiences.end(),
                                          value.get<std::string>()) != audiences.end();
  };
  // `aud` when present (a string or a list), else `client_id`.
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_array()) return std::any_of(aud->begin(), aud->end(), accepted);
    return accepted(*aud);
  }
  auto client_id = claims.find("client_id");
  return client_id != claims.end() && accepted(*client_id);
}

std::vector<std::string> split_spaces(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string claim_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out = "[";
    for (const auto& item : value) {
      if (out.size() > 1) out += ' ';
      out += claim_text(item);
    }
    return out + "]";
  }
  return value.dump();
}

}  // namespace

const Jwk* JwkSet::find(std::string_view kid, std::string_view alg) const {
  for (const Jwk& key : keys) {
    if (key.kid != kid || (!key.alg.empty() && key.alg != alg)) continue;
    if ((is_rsa_alg(alg) && key.rsa) || (is_hmac_alg(alg) && !key.secret.empty())) return &key;
  }
  return nullptr;
}

std::optional<JwkSet> parse_jwks(std::string_view text, std::string& why,
                                 std::vector<std::string>* skipped) {
  const json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    why = "not a JWKS (a JSON object with a keys list)";
    return std::nullopt;
  }
  JwkSet set;
  for (const auto& entry : doc["keys"]) {
    std::string reason;
    if (auto key = read_jwk(entry, reason)) {
      set.keys.push_back(std::move(*key));
    } else if (skipped) {
      const json& kid_value = json_value(entry, "kid");
      const std::string kid = kid_value.is_string() ? kid_value.get<std::string>() : "";
      skipped->push_back("key " + (kid.empty() ? std::string("without kid") : "'" + kid + "'") +
                         ": " + reason);
    }
  }
  return set;
}

std::optional<Jwt> decode_jwt(std::string_view token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto header = decode_part(token.substr(0, first));
  auto claims = decode_part(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header || !claims || !signature) return std::nullopt;
  Jwt jwt;
  const json alg = header->value("alg", json()), kid = header->value("kid", json());
  if (!alg.is_string()) return std::nullopt;
  jwt.alg = alg.get<std::string>();
  if (kid.is_string()) jwt.kid = kid.get<std::string>();
  jwt.header = std::move(*header);
  jwt.claims = std::move(*claims);
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

bool supported_alg(std::string_view alg) {
  return is_rsa_alg(alg) || is_hmac_alg(alg);
}

bool verify_signature(const Jwt& jwt, const Jwk& key) {
  if (is_rsa_alg(jwt.alg) && key.rsa) return verify_rsa(jwt, key);
  if (is_hmac_alg(jwt.alg) && !key.secret.empty()) return verify_hmac(jwt, key);
  return false;
}

const char* describe(JwtError error) {
  switch (error) {
    case JwtError::kNone:
      return "";
    case JwtError::kMissing:
      return "the token is missing";
    case JwtError::kMalformed:
      return "the token is not a valid JWT";
    case JwtError::kAlgorithm:
      return "the token's signing algorithm is not supported";
    case JwtError::kUnknownKey:
      return "the token's key id does not match a key of the issuer";
    case JwtError::kSignature:
      return "the token's signature is invalid";
    case JwtError::kIssuer:
      return "the token does not have a valid issuer";
    case JwtError::kAudience:
      return "the token does not have a valid audience";
    case JwtError::kNoExpiry:
      return "the token does not have an expiration time";
    case JwtError::kExpired:
      return "the token has expired";
    case JwtError::kNotYetValid:
      return "the token is not valid yet";
    case JwtError::kIssuedLater:
      return "the token was issued in the future";
    case JwtError::kScope:
      return "the token does not have a required scope";
    case JwtError::kKeysUnavailable:
      return "the issuer's keys could not be fetched";
  }
  return "";
}

JwtError check_claims(const Jwt& jwt, const JwtRules& rules) {
  const json& claims = jwt.claims;
  const json iss = claims.value("iss", json());
  if (!iss.is_string() || iss.get<std::string>() != rules.issuer) return JwtError::kIssuer;
  if (!accepted_audience(claims, rules.audiences)) return JwtError::kAudience;
  const auto now = static_cast<double>(rules.now);
  const auto exp = time_claim(claims, "exp");
  if (!exp) return JwtError::kNoExpiry;
  if (*exp <= now) return JwtError::kExpired;
  if (claims.contains("nbf")) {
    const auto nbf = time_claim(claims, "nbf");
    if (!nbf || *nbf > now) return JwtError::kNotYetValid;
  }
  if (claims.contains("iat")) {
    const auto iat = time_claim(claims, "iat");
    if (!iat || *iat > now) return JwtError::kIssuedLater;
  }
  if (!rules.scopes.empty()) {
    const auto held = token_scopes(claims);
    const bool any = std::any_of(rules.scopes.begin(), rules.scopes.end(), [&](const auto& s) {
      return std::find(held.begin(), held.end(), s) != held.end();
    });
    if (!any) return JwtError::kScope;
  }
  return JwtError::kNone;
}

JwtError verify_jwt(const Jwt& jwt, const JwkSet& keys, const JwtRules& rules) {
  if (!supported_alg(jwt.alg)) return JwtError::kAlgorithm;
  const Jwk* key = keys.find(jwt.kid, jwt.alg);
  if (!key) return JwtError::kUnknownKey;
  if (!verify_signature(jwt, *key)) return JwtError::kSignature;
  return check_claims(jwt, rules);
}

std::vector<std::string> token_scopes(const json& claims) {
  for (const char* name : {"scp", "scope"}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (it->is_string()) return split_spaces(it->get<std::string>());
    std::vector<std::string> out;
    if (it->is_array()) {
      for (const auto& item : *it) {
        if (item.is_string()) out.push_back(item.get<std::string>());
      }
    }
    return out;
  }
  return {};
}

json event_claims(const json& claims) {
  json out = json::object();
  for (const auto& [name, value] : claims.items()) {
    if (!value.is_null()) out[name] = claim_text(value);
  }
  return out;
}

std::string_view bearer_token(std::string_view value) {
  auto trim = [](std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
  };
  value = trim(value);
  if (ascii_lower(value.substr(0, 7)) == "bearer ") return trim(value.substr(7));
  return ascii_lower(value) == "bearer" ? std::string_view() : value;
}

}  // namespace lambdad::gateway
