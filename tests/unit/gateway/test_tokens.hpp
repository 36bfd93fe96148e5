#pragma once
// JWTs and JWKs made with OpenSSL for the gateway's tests: base64url, an RSA key's public JWK,
// and tokens signed RS256/384/512 or HS256/384/512 (or not at all).

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lambdad/common/encoding.hpp"

namespace lambdad::gateway::testing {

inline std::string b64url(std::string_view data) {
  std::string out = base64_encode(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

/// A big-endian parameter of a key (`OSSL_PKEY_PARAM_RSA_N`, `_E`).
inline std::string key_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

inline nlohmann::json rsa_jwk(const EVP_PKEY* key, const std::string& kid) {
  return {{"kty", "RSA"},
          {"kid", kid},
          {"use", "sig"},
          {"n", b64url(key_param(key, OSSL_PKEY_PARAM_RSA_N))},
          {"e", b64url(key_param(key, OSSL_PKEY_PARAM_RSA_E))}};
}

inline const EVP_MD* digest(std::string_view alg) {
  if (alg.ends_with("384")) return EVP_sha384();
  if (alg.ends_with("512")) return EVP_sha512();
  return EVP_sha256();
}

/// `header.claims.signature`, signed as the header's alg says: RS* with `key`, HS* with
/// `secret`, anything else with an empty signature.
inline std::string sign_jwt(const nlohmann::json& header, const nlohmann::json& claims,
                            EVP_PKEY* key, std::string_view secret = "") {
  const std::string input = b64url(header.dump()) + "." + b64url(claims.dump());
  const std::string alg = header.value("alg", "");
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  std::string signature;
  if (alg.starts_with("RS")) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t length = 0;
    EVP_DigestSignInit(ctx, nullptr, digest(alg), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &length, data, input.size());
    signature.resize(length);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                   input.size());
    EVP_MD_CTX_free(ctx);
  } else if (alg.starts_with("HS")) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(digest(alg), secret.data(), static_cast<int>(secret.size()), data, input.size(), mac,
         &length);
    signature.assign(reinterpret_cast<char*>(mac), length);
  }
  return input + "." + b64url(signature);
}

}  // namespace lambdad::gateway::testing
