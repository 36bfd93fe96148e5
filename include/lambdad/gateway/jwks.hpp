#pragma once
/// @brief The signing keys of JWT issuers, fetched without blocking the io thread and cached.
///
/// Where an issuer's keys come from, first match:
/// 1. `lambdad serve --jwks ISSUER=SOURCE`: SOURCE is a JWKS file (path) or a JWKS URL;
/// 2. an issuer that is a `file://` URL: that JWKS file;
/// 3. OIDC discovery, as API Gateway does it: `{issuer}/.well-known/openid-configuration`, then
///    its `jwks_uri` (http:// or https://).
///
/// A key set is kept for two hours (API Gateway's cache). A token whose `kid` the cached set
/// lacks makes lambdad fetch the set again, at most once per `refetch_interval` per issuer, so
/// rotated keys are picked up and a flood of made-up kids costs one fetch per interval. Requests
/// that arrive during a fetch wait for it. A failed fetch keeps the keys already cached. Files
/// are read on a helper thread; URLs are fetched asynchronously on the io thread.
///
/// Thread safety: runs on the io thread, like the rest of the gateway.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "lambdad/gateway/jwt.hpp"
#include "lambdad/http/fetch.hpp"

namespace lambdad::gateway {

struct KeySource {
  enum class Kind { kDiscovery, kJwksUrl, kFile };
  Kind kind = Kind::kDiscovery;
  std::string location;  ///< the discovery document's URL, the JWKS URL, or the file's path
  std::string text() const;
};

/// `overrides`: issuer → file path or JWKS URL (`--jwks`).
KeySource key_source(const std::string& issuer,
                     const std::map<std::string, std::string>& overrides);

struct JwksOptions {
  std::map<std::string, std::string> overrides;  ///< `--jwks ISSUER=SOURCE`
  std::chrono::milliseconds refetch_interval{5000};
  std::chrono::seconds max_age{7200};
  http::FetchOptions fetch;
};

class JwksCache {
 public:
  JwksCache(boost::asio::any_io_executor io, JwksOptions options);
  ~JwksCache();

  /// The issuer's keys, holding a key for (`kid`, `alg`) when the issuer has one. nullptr when
  /// no key set could be had at all.
  boost::asio::awaitable<std::shared_ptr<const JwkSet>> keys(std::string issuer, std::string kid,
                                                             std::string alg);

  /// Number of fetches started (for tests).
  int fetches() const { return fetches_; }

 private:
  struct Entry;
  boost::asio::awaitable<void> refresh(const std::string& issuer, Entry& entry);
  boost::asio::awaitable<std::string> load(const KeySource& source);

  boost::asio::any_io_executor io_;
  JwksOptions options_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  boost::asio::thread_pool files_{1};  ///< file reads block: never on the io thread
  int fetches_ = 0;
};

}  // namespace lambdad::gateway
