#include "lambdad/auth/credentials.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "lambdad/common/check.hpp"

namespace lambdad::auth {

void Credentials::add_pairs(const std::vector<std::string>& pairs) {
  for (const std::string& pair : pairs) {
    const size_t colon = pair.find(':');
    // The secret is never echoed: a message names the key only.
    const std::string key = pair.substr(0, colon);
    if (colon == std::string::npos) {
      throw std::invalid_argument("credentials '" + key +
                                  "…' are not ACCESS_KEY_ID:SECRET (no ':')");
    }
    const std::string secret = pair.substr(colon + 1);
    if (key.empty()) throw std::invalid_argument("credentials with an empty access key id");
    if (secret.empty()) {
      throw std::invalid_argument("credentials '" + key + "' have an empty secret");
    }
    for (char c : key) {
      // Keys travel in Credential=KEY/…, separated by '/', ',' and blanks.
      if (c == '/' || c == ',' || c == ' ' || c == '\t' || c == '=' || c < 0x21 || c > 0x7e) {
        throw std::invalid_argument("access key id '" + key +
                                    "' holds a character SigV4 cannot carry ('/', ',', '=', "
                                    "blanks or non-ASCII)");
      }
    }
    if (const AccessKey* known = find(key); known && known->secret != secret) {
      throw std::invalid_argument("access key id '" + key +
                                  "' is given twice with different secrets");
    }
    add(key, AccessKey{.secret = secret, .session_token = {}});
  }
}

std::vector<std::string> Credentials::split_list(std::string_view list) {
  std::vector<std::string> pairs;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view pair = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
    if (!pair.empty()) pairs.emplace_back(pair);
  }
  return pairs;
}

namespace {

/// `length` characters of `alphabet`, from OpenSSL's generator (no modulo bias: 64 or 32 letters).
std::string random_text(size_t length, std::string_view alphabet) {
  std::string bytes(length, '\0');
  LAMBDAD_CHECK(
      RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(length)) == 1);
  std::string out(length, '\0');
  for (size_t i = 0; i < length; ++i) {
    out[i] = alphabet[static_cast<unsigned char>(bytes[i]) % alphabet.size()];
  }
  return out;
}

constexpr std::string_view kKeyLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // 32
constexpr std::string_view kSecretLetters =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";  // 64

}  // namespace

IssuedKey Credentials::issue_worker_key() {
  IssuedKey issued;
  do {
    issued.access_key_id = "ASIA" + random_text(16, kKeyLetters);
  } while (find(issued.access_key_id));
  issued.secret = random_text(40, kSecretLetters);
  issued.session_token = random_text(120, kSecretLetters);
  add(issued.access_key_id,
      AccessKey{.secret = issued.secret, .session_token = issued.session_token, .worker = true});
  return issued;
}

void Credentials::add(std::string key, AccessKey access_key) {
  keys_[std::move(key)] = std::move(access_key);
}

void Credentials::remove(const std::string& key) {
  keys_.erase(key);
}

const AccessKey* Credentials::find(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace lambdad::auth
