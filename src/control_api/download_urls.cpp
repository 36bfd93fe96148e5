#include "download_urls.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"

namespace lambdad::control_api {
namespace {

/// How long a URL works: AWS's presigned URLs last 10 minutes.
constexpr long long kUrlSeconds = 600;

std::string signature_of(const ApiState& api, std::string_view key, std::string_view expires) {
  const std::string text = std::string(key) + "\n" + std::string(expires);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), api.code_url_key.data(), static_cast<int>(api.code_url_key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
  return hex_lower({reinterpret_cast<const char*>(mac), length});
}

}  // namespace

std::string signed_url(const ApiState& api, const Call& call, std::string_view path,
                       std::string_view key) {
  std::string host(call.request[http::bhttp::field::host]);
  if (host.empty()) host = "127.0.0.1";
  const std::string expires = std::to_string(epoch_ms() / 1000 + kUrlSeconds);
  return "http://" + host + std::string(path) + "?Expires=" + expires +
         "&Signature=" + signature_of(api, key, expires);
}

void check_signed_url(const ApiState& api, const Call& call, std::string_view key,
                      std::string_view what, std::string_view operation) {
  const std::string expires = query_param(call.query, "Expires");
  const std::string signature = query_param(call.query, "Signature");
  const std::string expected = signature_of(api, key, expires);
  long long until = 0;
  const bool parsed =
      std::from_chars(expires.data(), expires.data() + expires.size(), until).ec == std::errc();
  const std::string ask = ": ask " + std::string(operation) + " for a new one";
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0 || !parsed) {
    throw AwsError(403, "AccessDeniedException",
                   "The " + std::string(what) + " URL's signature does not match" + ask);
  }
  if (until < epoch_ms() / 1000) {
    throw AwsError(403, "AccessDeniedException",
                   "The " + std::string(what) + " URL has expired" + ask);
  }
}

}  // namespace lambdad::control_api
