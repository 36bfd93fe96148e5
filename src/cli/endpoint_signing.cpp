#include "lambdad/cli/endpoint_signing.hpp"

#include "lambdad/auth/client_signer.hpp"

namespace lambdad::cli {

void sign_for_endpoint(const http::Url& url, std::string_view method, std::string_view target,
                       http::Headers& headers, std::string_view body, std::string_view service) {
  const auto key = auth::client_key_from_environment();
  if (!key) return;
  // The Host header and target exactly as the client sends them (sync_client.cpp).
  const bool v6 = url.host.find(':') != std::string::npos;
  const std::string host = (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
  const std::string sent_target = url.base_path + std::string(target);
  for (auto& header :
       auth::signature_headers(*key, method, host, sent_target, headers, body,
                               auth::client_region(), service, std::chrono::system_clock::now())) {
    headers.push_back(std::move(header));
  }
  headers.emplace_back("Host", host);
}

}  // namespace lambdad::cli
