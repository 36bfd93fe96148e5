#include "lambdad/gateway/request.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <boost/beast/core/string.hpp>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"

namespace lambdad::gateway {

namespace {

namespace beast = boost::beast;

// Connection-level headers of the client's hop: not forwarded, as by any proxy.
bool is_hop_by_hop(std::string_view name) {
  for (std::string_view hop : {"connection", "keep-alive", "proxy-connection", "te", "upgrade",
                               "transfer-encoding", "trailer"}) {
    if (beast::iequals(name, hop)) return true;
  }
  return false;
}

/// "1-5e1b4151-5ac6c58f5b0b8a6f5a1c2b3d" style X-Ray root.
std::string new_trace_root() {
  char epoch[9];
  std::snprintf(epoch, sizeof epoch, "%08llx",
                static_cast<unsigned long long>(epoch_ms() / 1000) & 0xffffffffULL);
  return "Root=1-" + std::string(epoch) + "-" + random_hex(24);
}

}  // namespace

const std::string* GatewayRequest::header(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& h : headers) {
    if (beast::iequals(h.name, name)) found = &h.value;
  }
  return found;
}

std::optional<GatewayRequest> parse_request(http::Request& request, const http::Peer& peer) {
  GatewayRequest out;
  out.time_epoch_ms = epoch_ms();
  out.method = std::string(request.method_string());
  std::string_view target = request.target();
  // Absolute form (`http://host/path`), as proxies send it: keep the path.
  if (auto scheme = target.find("://");
      scheme != std::string_view::npos && !target.starts_with("/")) {
    const size_t slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (!target.starts_with("/")) return std::nullopt;
  const size_t question = target.find('?');
  out.raw_path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) out.raw_query = std::string(target.substr(question + 1));

  auto decoded = url_decode(out.raw_path);
  if (!decoded) return std::nullopt;
  out.path = std::move(*decoded);
  // Segments are decoded one by one, so that an encoded `/` (%2F) stays inside its segment.
  std::string_view raw = out.raw_path;
  for (size_t start = 0; start <= raw.size();) {
    size_t end = raw.find('/', start);
    if (end == std::string_view::npos) end = raw.size();
    if (end > start) {
      auto segment = url_decode(raw.substr(start, end - start));
      if (!segment) return std::nullopt;
      out.segments.push_back(std::move(*segment));
    }
    start = end + 1;
  }

  std::string_view query = out.raw_query;
  for (size_t start = 0; start < query.size();) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto name = url_decode(pair.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.query.push_back({std::move(*name), std::move(*value)});
  }

  const std::string* forwarded_for = nullptr;
  for (const auto& field : request) {
    std::string_view name = field.name_string();
    if (is_hop_by_hop(name)) continue;
    out.headers.push_back({std::string(name), std::string(field.value())});
  }
  for (auto& h : out.headers) {
    if (beast::iequals(h.name, "host")) out.host = h.value;
    if (beast::iequals(h.name, "user-agent")) out.user_agent = h.value;
    if (beast::iequals(h.name, "x-amzn-trace-id")) out.trace_id = h.value;
    if (beast::iequals(h.name, "x-forwarded-for")) forwarded_for = &h.value;
  }
  out.source_ip = peer.remote.address().to_string();
  // As API Gateway: the client's address is appended to X-Forwarded-For, and the port and
  // protocol it came in on are added.
  if (forwarded_for) {
    std::string chain = *forwarded_for + ", " + out.source_ip;
    std::erase_if(out.headers,
                  [](const NameValue& h) { return beast::iequals(h.name, "x-forwarded-for"); });
    out.headers.push_back({"X-Forwarded-For", std::move(chain)});
  } else {
    out.headers.push_back({"X-Forwarded-For", out.source_ip});
  }
  std::erase_if(out.headers, [](const NameValue& h) {
    return beast::iequals(h.name, "x-forwarded-port") ||
           beast::iequals(h.name, "x-forwarded-proto");
  });
  out.headers.push_back({"X-Forwarded-Port", std::to_string(peer.local.port())});
  out.headers.push_back({"X-Forwarded-Proto", "http"});
  if (out.trace_id.empty()) {
    out.trace_id = new_trace_root();
    out.headers.push_back({"X-Amzn-Trace-Id", out.trace_id});
  }
  out.protocol = request.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  out.body = std::move(request.body());
  return out;
}

std::vector<std::string> cookies_of(const GatewayRequest& request) {
  std::vector<std::string> out;
  for (const auto& h : request.headers) {
    if (!beast::iequals(h.name, "cookie")) continue;
    std::string_view value = h.value;
    for (size_t start = 0; start <= value.size();) {
      size_t end = value.find(';', start);
      if (end == std::string_view::npos) end = value.size();
      std::string_view part = trim_ows(value.substr(start, end - start));
      if (!part.empty()) out.emplace_back(part);
      start = end + 1;
    }
  }
  return out;
}

std::string request_time(long long epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return text;
}

std::string domain_prefix(std::string_view host) {
  if (host.starts_with("[")) return std::string(host.substr(0, host.find(']') + 1));
  host = host.substr(0, host.find(':'));
  if (host.empty() || std::isdigit(static_cast<unsigned char>(host.front()))) {
    return std::string(host);
  }
  return std::string(host.substr(0, host.find('.')));
}

std::string new_apigw_id() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const std::string hex = random_hex(32);
  std::string out;
  out.reserve(16);
  for (size_t i = 0; i < 15; ++i) {
    const unsigned value = static_cast<unsigned>(std::stoul(hex.substr(i * 2, 2), nullptr, 16));
    out.push_back(kAlphabet[value % 62]);
  }
  out.push_back('=');
  return out;
}

std::string media_type(std::string_view header_value) {
  std::string_view type = trim_ows(header_value.substr(0, header_value.find(';')));
  std::string out(type);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace lambdad::gateway
