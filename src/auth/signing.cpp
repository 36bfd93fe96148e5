// SigV4's cryptography: SHA-256, the HMAC chain and the signatures, all OpenSSL's.

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

#include "lambdad/auth/sigv4.hpp"
#include "lambdad/common/check.hpp"
#include "lambdad/common/encoding.hpp"

namespace lambdad::auth {
namespace {

// OpenSSL 3 looks an algorithm up by name on every implicit use (EVP_sha256() in EVP_Digest,
// HMAC()): fetched once here instead, since a request costs two digests and two HMACs.
const EVP_MD* sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  LAMBDAD_CHECK(md != nullptr);
  return md;
}

EVP_MAC* hmac() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  LAMBDAD_CHECK(mac != nullptr);
  return mac;
}

/// An HMAC-SHA256 context with no key yet, copied for each use (EVP_MAC_CTX_dup) so that the
/// digest is set once; one per thread.
EVP_MAC_CTX* hmac_template() {
  thread_local std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx = [] {
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> made(EVP_MAC_CTX_new(hmac()),
                                                                   &EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    LAMBDAD_CHECK(made && EVP_MAC_CTX_set_params(made.get(), params) == 1);
    return made;
  }();
  return ctx.get();
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  LAMBDAD_CHECK(EVP_Digest(data.data(), data.size(), digest, &length, sha256(), nullptr) == 1);
  return hex_lower(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(hmac_template()),
                                                                &EVP_MAC_CTX_free);
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t length = 0;
  LAMBDAD_CHECK(ctx &&
                EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()),
                             key.size(), nullptr) == 1 &&
                EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                               data.size()) == 1 &&
                EVP_MAC_final(ctx.get(), mac, &length, sizeof(mac)) == 1);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string scope;
  scope.reserve(date.size() + region.size() + service.size() + kTerminator.size() + 3);
  scope.append(date).append("/").append(region).append("/").append(service).append("/");
  scope.append(kTerminator);
  return scope;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string text(kAlgorithm);
  text.append("\n").append(amz_date).append("\n").append(scope).append("\n");
  text.append(sha256_hex(canonical_request));
  return text;
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret), date);
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, kTerminator);
}

std::string signature(std::string_view key, std::string_view text) {
  return hex_lower(hmac_sha256(key, text));
}

std::string chunk_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view previous_signature, std::string_view chunk) {
  // The empty string's SHA-256: the chunk's (always empty) canonical headers.
  static const std::string kEmptyHash = sha256_hex("");
  std::string text("AWS4-HMAC-SHA256-PAYLOAD\n");
  text.append(amz_date).append("\n").append(scope).append("\n");
  text.append(previous_signature).append("\n").append(kEmptyHash).append("\n");
  text.append(sha256_hex(chunk));
  return text;
}

}  // namespace lambdad::auth
