#include "lambdad/gateway/integrations.hpp"

#include <cctype>

#include <spdlog/spdlog.h>

#include "lambdad/common/encoding.hpp"
#include "lambdad/http/fetch.hpp"

namespace lambdad::gateway {

namespace {

namespace bhttp = http::bhttp;

/// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), and the ones
/// the client library frames itself.
bool hop_by_hop(std::string_view name) {
  const std::string lower = ascii_lower(name);
  return lower == "connection" || lower == "keep-alive" || lower == "proxy-connection" ||
         lower == "te" || lower == "trailer" || lower == "transfer-encoding" ||
         lower == "upgrade" || lower == "host" || lower == "content-length" || lower == "expect";
}

std::string encode_segment(std::string_view value, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

http::Response mock_response(const openapi::Integration& integration,
                             const http::Request& request) {
  http::Response response{static_cast<bhttp::status>(integration.mock_status), request.version()};
  response.keep_alive(request.keep_alive());
  response.set(bhttp::field::content_type, integration.mock_content_type);
  for (const auto& [name, value] : integration.mock_headers) response.set(name, value);
  if (integration.mock_status != 204 && integration.mock_status != 304) {
    response.body() = integration.mock_body;
  }
  return response;
}

std::string upstream_url(const openapi::Integration& integration,
                         const std::vector<std::string>& names,
                         const std::vector<std::string>& values, std::string_view raw_query) {
  auto value_of = [&](std::string name) -> std::optional<std::string> {
    for (const auto& [target, source] : integration.path_mappings) {
      if (target == name) {
        name = source;
        break;
      }
    }
    for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
      if (names[i] == name) return values[i];
    }
    return std::nullopt;
  };
  const std::string& uri = integration.uri;
  std::string out;
  size_t pos = 0;
  while (pos < uri.size()) {
    const size_t open = uri.find('{', pos);
    const size_t close = open == std::string::npos ? open : uri.find('}', open);
    if (close == std::string::npos) {
      out += uri.substr(pos);
      break;
    }
    out += uri.substr(pos, open - pos);
    std::string name = uri.substr(open + 1, close - open - 1);
    const bool greedy = name.ends_with('+');
    if (greedy) name.pop_back();
    if (auto value = value_of(name)) {
      // A greedy value spans segments: its slashes stay.
      out += encode_segment(*value, greedy || name == "proxy");
    }
    pos = close + 1;
  }
  if (!raw_query.empty()) {
    out += out.find('?') == std::string::npos ? '?' : '&';
    out += raw_query;
  }
  return out;
}

boost::asio::awaitable<std::optional<http::Response>> proxy_http(
    const Route& route, const GatewayRequest& parsed, const std::vector<std::string>& values,
    const http::Request& request, GatewayError& error) {
  const openapi::Integration& integration = *route.integration;
  const std::string url = upstream_url(integration, route.params, values, parsed.raw_query);
  http::FetchRequest outbound;
  outbound.method = integration.http_method == "ANY" ? parsed.method : integration.http_method;
  for (const auto& header : parsed.headers) {
    if (!hop_by_hop(header.name)) outbound.headers.emplace_back(header.name, header.value);
  }
  if (outbound.headers.empty()) outbound.headers.emplace_back("Accept", "*/*");
  outbound.body = parsed.body;
  http::ClientResponse answer;
  try {
    answer = co_await http::fetch(
        url, std::move(outbound),
        http::FetchOptions{.timeout = route.timeout, .body_limit = 10 * 1024 * 1024});
  } catch (const http::ClientError& e) {
    const bool timed_out = std::string_view(e.what()).find("timed out") != std::string_view::npos;
    spdlog::warn("gateway: {} {} -> {}: {}", parsed.method, parsed.raw_path, url, e.what());
    error = timed_out ? GatewayError::kIntegrationTimeout : GatewayError::kIntegrationFailure;
    co_return std::nullopt;
  } catch (const std::invalid_argument& e) {
    spdlog::warn("gateway: {} {} -> {}: {}", parsed.method, parsed.raw_path, url, e.what());
    error = GatewayError::kIntegrationFailure;
    co_return std::nullopt;
  }
  http::Response response{static_cast<bhttp::status>(answer.status), request.version()};
  response.keep_alive(request.keep_alive());
  for (const auto& [name, value] : answer.headers) {
    if (!hop_by_hop(name)) response.insert(name, value);
  }
  if (answer.status != 204 && answer.status != 304 && parsed.method != "HEAD") {
    response.body() = std::move(answer.body);
  }
  co_return response;
}

}  // namespace lambdad::gateway
