#include "lambdad/gateway/jwks.hpp"

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lambdad::gateway {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct JwksCache::Entry {
  explicit Entry(asio::any_io_executor io) : done(std::move(io)) {}
  std::shared_ptr<const JwkSet> keys;
  Clock::time_point fetched_at{};  ///< when the last fetch (ok or not) ended
  bool fetching = false;
  asio::steady_timer done;  ///< waiters wait on it; cancelled when a fetch ends
};

namespace {

std::string file_path(std::string_view source) {
  if (source.starts_with("file://")) source.remove_prefix(7);
  return std::string(source);
}

bool is_url(std::string_view text) {
  return text.starts_with("http://") || text.starts_with("https://");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ok_body(const http::ClientResponse& response, const std::string& url) {
  if (response.status != 200) {
    throw std::runtime_error("GET " + url + " answered " + std::to_string(response.status));
  }
  return response.body;
}

}  // namespace

std::string KeySource::text() const {
  switch (kind) {
    case Kind::kDiscovery:
      return "OIDC discovery at " + location;
    case Kind::kJwksUrl:
      return "JWKS at " + location;
    case Kind::kFile:
      return "JWKS file " + location;
  }
  return location;
}

KeySource key_source(const std::string& issuer,
                     const std::map<std::string, std::string>& overrides) {
  if (auto it = overrides.find(issuer); it != overrides.end()) {
    if (is_url(it->second)) return {KeySource::Kind::kJwksUrl, it->second};
    return {KeySource::Kind::kFile, file_path(it->second)};
  }
  if (issuer.starts_with("file://")) return {KeySource::Kind::kFile, file_path(issuer)};
  std::string base = issuer;
  while (base.ends_with('/')) base.pop_back();
  return {KeySource::Kind::kDiscovery, base + "/.well-known/openid-configuration"};
}

JwksCache::JwksCache(asio::any_io_executor io, JwksOptions options)
    : io_(std::move(io)), options_(std::move(options)) {}

JwksCache::~JwksCache() {
  files_.join();
}

asio::awaitable<std::shared_ptr<const JwkSet>> JwksCache::keys(std::string issuer, std::string kid,
                                                               std::string alg) {
  auto& slot = entries_[issuer];
  if (!slot) slot = std::make_unique<Entry>(io_);
  Entry& entry = *slot;
  bool refetched = false;
  for (;;) {
    while (entry.fetching) {
      co_await entry.done.async_wait(asio::as_tuple(asio::use_awaitable));
      refetched = true;  // someone fetched for us: take what it found
    }
    const auto age = Clock::now() - entry.fetched_at;
    const bool never = entry.fetched_at == Clock::time_point{};
    const bool expired = entry.keys && age > options_.max_age;
    const bool wanted = !entry.keys || expired || !entry.keys->find(kid, alg);
    // A set without the kid (or no set, after a failed fetch) is fetched again only once the
    // interval has passed since the last fetch.
    const bool may_fetch = never || expired || age >= options_.refetch_interval;
    if (refetched || !wanted || !may_fetch) co_return entry.keys;
    co_await refresh(issuer, entry);
    refetched = true;
  }
}

asio::awaitable<void> JwksCache::refresh(const std::string& issuer, Entry& entry) {
  entry.fetching = true;
  // Set once per fetch: setting the expiry again would wake the waiters already waiting.
  entry.done.expires_at(Clock::time_point::max());
  ++fetches_;
  const KeySource source = key_source(issuer, options_.overrides);
  try {
    std::string why;
    std::vector<std::string> skipped;
    // Named locals, not temporaries, around co_await: GCC 12 mishandles temporaries there.
    const std::string text = co_await load(source);
    auto set = parse_jwks(text, why, &skipped);
    if (!set) throw std::runtime_error(why);
    for (const auto& reason : skipped) {
      spdlog::warn("gateway: JWKS of issuer {}: {} is not used", issuer, reason);
    }
    spdlog::debug("gateway: {} keys for issuer {} from {}", set->keys.size(), issuer,
                  source.text());
    entry.keys = std::make_shared<const JwkSet>(std::move(*set));
  } catch (const std::exception& e) {
    spdlog::warn("gateway: cannot get the signing keys of JWT issuer {} ({}): {}", issuer,
                 source.text(), e.what());
  }
  entry.fetched_at = Clock::now();
  entry.fetching = false;
  entry.done.cancel();
}

asio::awaitable<std::string> JwksCache::load(const KeySource& source) {
  if (source.kind == KeySource::Kind::kFile) {
    // Resumes on the io thread once the helper thread has read the file. The reader is a named
    // local: GCC 12 destroys a lambda temporary inside a co_await expression twice.
    auto reader = [path = source.location]() -> asio::awaitable<std::string> {
      co_return read_file(path);
    };
    std::string text = co_await asio::co_spawn(files_, std::move(reader), asio::use_awaitable);
    co_return text;
  }
  std::string jwks_url = source.location;
  if (source.kind == KeySource::Kind::kDiscovery) {
    const http::ClientResponse discovery = co_await http::fetch(source.location, options_.fetch);
    const auto config = nlohmann::json::parse(ok_body(discovery, source.location), nullptr, false);
    if (!config.is_object() || !config.contains("jwks_uri") || !config["jwks_uri"].is_string()) {
      throw std::runtime_error(source.location + " has no jwks_uri");
    }
    jwks_url = config["jwks_uri"].get<std::string>();
  }
  const http::ClientResponse jwks = co_await http::fetch(jwks_url, options_.fetch);
  co_return ok_body(jwks, jwks_url);
}

}  // namespace lambdad::gateway
