#pragma once
/// @brief The access keys the lambda port accepts: the server's (`serve --credentials KEY:SECRET`,
/// `LAMBDAD_CREDENTIALS`) and, later, short-lived ones of its own.
///
/// Thread safety: read on the io thread only; changed before the server starts (or on the io
/// thread).

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lambdad::auth {

struct AccessKey {
  std::string secret;
  /// Empty for the server's long-term keys, which accept any token (a client that still has an
  /// AWS_SESSION_TOKEN of a real account in its environment is not refused for it, as SAM local
  /// does not check keys at all); else the token a request must carry.
  std::string session_token;
  /// Issued to one worker (issue_worker_key): it signs the data plane only.
  bool worker = false;
  /// The last scope (date/region/service) a request was signed for and its signing key: a
  /// client signs the same scope all day, so the four-HMAC derivation runs once per day and
  /// region (as the SDKs cache it on their side).
  mutable std::string cached_scope;
  mutable std::string cached_signing_key;
};

/// A key issued to a worker, as a role's temporary credentials look on AWS.
struct IssuedKey {
  std::string access_key_id;  ///< ASIA + 16 characters
  std::string secret;         ///< 40 characters
  std::string session_token;
};

class Credentials {
 public:
  /// `KEY:SECRET` pairs (the secret may itself hold ':'). Throws std::invalid_argument naming
  /// the bad pair (without its secret) for an empty key or secret, a missing ':' or a key given
  /// twice with different secrets.
  void add_pairs(const std::vector<std::string>& pairs);
  /// `LAMBDAD_CREDENTIALS`: comma-separated pairs (blanks around each ignored).
  static std::vector<std::string> split_list(std::string_view list);

  /// A new random key for a worker, accepted (with its session token) until remove(). Random
  /// bytes are OpenSSL's.
  IssuedKey issue_worker_key();

  void add(std::string key, AccessKey access_key);
  void remove(const std::string& key);
  const AccessKey* find(std::string_view key) const;
  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, AccessKey, std::less<>> keys_;
};

}  // namespace lambdad::auth
