#include "lambdad/auth/credentials.hpp"

#include <stdexcept>

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
