#include "lambdad/auth/client_signer.hpp"

#include <algorithm>
#include <cstdlib>

#include "lambdad/auth/signature_claim.hpp"
#include "lambdad/auth/sigv4.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/http/server.hpp"

namespace lambdad::auth {

std::optional<ClientKey> client_key_from_environment() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (!id || !secret || !*id || !*secret) return std::nullopt;
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  return ClientKey{.access_key_id = id, .secret = secret, .session_token = token ? token : ""};
}

std::string client_region() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (const char* value = std::getenv(name); value && *value) return value;
  }
  return "us-east-1";
}

std::vector<std::pair<std::string, std::string>> signature_headers(
    const ClientKey& key, std::string_view method, std::string_view host, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
    std::string_view region, std::string_view service, std::chrono::system_clock::time_point now) {
  const std::string amz_date = format_amz_date(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  std::vector<std::pair<std::string, std::string>> added = {{"X-Amz-Date", amz_date}};
  if (!key.session_token.empty()) added.emplace_back("X-Amz-Security-Token", key.session_token);
  http::RequestHeader header;
  header.method_string(method);
  header.target(target);
  header.set(http::bhttp::field::host, host);
  std::vector<std::string> names = {"host"};
  using List = std::vector<std::pair<std::string, std::string>>;
  for (const List* list : {&headers, static_cast<const List*>(&added)}) {
    for (const auto& [name, value] : *list) {
      header.insert(name, value);
      names.push_back(ascii_lower(name));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = credential_scope(date, region, service);
  const std::string text =
      string_to_sign(amz_date, scope, canonical_request(header, false, names, sha256_hex(body)));
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ";") + name;
  added.emplace_back("Authorization",
                     std::string(kAlgorithm) + " Credential=" + key.access_key_id + "/" + scope +
                         ", SignedHeaders=" + list + ", Signature=" +
                         signature(signing_key(key.secret, date, region, service), text));
  return added;
}

}  // namespace lambdad::auth
