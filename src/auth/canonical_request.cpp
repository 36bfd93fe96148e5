// The canonical request of AWS's SigV4 algorithm, built from the request as it came on the wire.

#include <algorithm>
#include <utility>

#include "lambdad/auth/sigv4.hpp"
#include "lambdad/common/encoding.hpp"

namespace lambdad::auth {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool space_or_tab(char c) {
  return c == ' ' || c == '\t';
}

/// A query name or value decoded; one with a malformed escape is taken as it stands (its '%'
/// is then encoded as %25, as a client that never encoded it would have signed it).
std::string decoded(std::string_view text) {
  return url_decode(text).value_or(std::string(text));
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (const unsigned char c : text) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  // RFC 3986 dot-segment removal, dropping empty segments as the SDKs do before signing.
  std::vector<std::string_view> segments;
  for (std::string_view rest = raw_path; !rest.empty();) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string path = raw_path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) path += '/';
    path.append(segments[i]);
  }
  if (raw_path.back() == '/' && !segments.empty()) path += '/';
  return uri_encode(path, true);
}

std::string canonical_query(std::string_view raw_query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view rest = raw_query; !rest.empty();) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name = decoded(pair.substr(0, eq));
    if (presigned && name == "X-Amz-Signature") continue;
    std::string value = eq == std::string_view::npos ? std::string() : decoded(pair.substr(eq + 1));
    pairs.emplace_back(uri_encode(name, false), uri_encode(value, false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string canonical_header_value(const http::RequestHeader& header, std::string_view name) {
  std::string out;
  bool first = true;
  for (auto [it, end] = header.equal_range(name); it != end; ++it) {
    if (!first) out += ',';
    first = false;
    // Trimmed, with runs of blanks folded to one space (obs-fold arrives here as blanks).
    bool pending_space = false;
    bool started = false;
    for (const char c : it->value()) {
      if (space_or_tab(c) || c == '\r' || c == '\n') {
        pending_space = started;
        continue;
      }
      if (pending_space) out += ' ';
      pending_space = false;
      started = true;
      out += c;
    }
  }
  return out;
}

std::string canonical_request(const http::RequestHeader& header, bool presigned,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash) {
  const std::string_view target = header.target();
  const size_t q = target.find('?');
  std::string text(header.method_string());
  text += '\n';
  text += canonical_uri(target.substr(0, q));
  text += '\n';
  if (q != std::string_view::npos) text += canonical_query(target.substr(q + 1), presigned);
  text += '\n';
  for (const std::string& name : signed_headers) {
    text.append(name).append(":").append(canonical_header_value(header, name)).append("\n");
  }
  text += '\n';
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) text += ';';
    text += signed_headers[i];
  }
  text += '\n';
  text.append(payload_hash);
  return text;
}

}  // namespace lambdad::auth
