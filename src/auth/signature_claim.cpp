// Reading a request's SigV4 claim: the Authorization header's parts or the presigned query's
// parameters, each checked for form with AWS's messages for what is missing.

#include "lambdad/auth/signature_claim.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

#include "lambdad/auth/auth_error.hpp"
#include "lambdad/auth/sigv4.hpp"
#include "lambdad/common/encoding.hpp"

namespace lambdad::auth {
namespace {

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

[[noreturn]] void incomplete(std::string message) {
  throw AuthError(Failure::kIncomplete, std::move(message));
}

/// KEY/DATE/REGION/SERVICE/aws4_request into the claim.
void read_credential(std::string_view credential, SignatureClaim& claim) {
  std::vector<std::string_view> parts;
  for (std::string_view rest = credential;;) {
    const size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.size() != 5) {
    incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        std::string(credential) + "'");
  }
  if (parts[0].empty())
    incomplete("Credential names no access key: '" + std::string(credential) + "'");
  if (parts[1].size() != 8 || !all_digits(parts[1])) {
    incomplete("Credential should be scoped to a valid date (YYYYMMDD), not '" +
               std::string(parts[1]) + "'");
  }
  if (parts[2].empty()) incomplete("Credential should be scoped to a valid region, not ''");
  if (parts[3].empty()) incomplete("Credential should be scoped to a valid service, not ''");
  if (parts[4] != kTerminator) {
    incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
               std::string(parts[4]) + "'");
  }
  claim.access_key = parts[0];
  claim.date = parts[1];
  claim.region = parts[2];
  claim.service = parts[3];
}

void read_signed_headers(std::string_view list, SignatureClaim& claim) {
  for (std::string_view rest = list; !rest.empty();) {
    const size_t semi = rest.find(';');
    const std::string_view name = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    if (name.empty())
      incomplete("SignedHeaders holds an empty header name: '" + std::string(list) + "'");
    claim.signed_headers.push_back(ascii_lower(name));
  }
  bool host = false;
  for (const auto& name : claim.signed_headers) host = host || name == "host";
  if (!host)
    incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

SignatureClaim from_header(std::string_view value, const http::RequestHeader& header) {
  value = trim_ows(value);
  const size_t space = value.find_first_of(" \t");
  const std::string_view scheme = value.substr(0, space);
  if (scheme != kAlgorithm) {
    incomplete("Authorization header requires '" + std::string(kAlgorithm) +
               "' (Signature Version 4), not '" + std::string(scheme) +
               "'. Authorization=" + std::string(value));
  }
  std::optional<std::string_view> credential, signed_headers, signature;
  std::string_view rest =
      space == std::string_view::npos ? std::string_view() : value.substr(space);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view pair = trim_ows(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      incomplete("Invalid key=value pair (missing equal-sign) in Authorization header: '" +
                 std::string(pair) + "'");
    }
    const std::string_view key = pair.substr(0, eq), part = pair.substr(eq + 1);
    if (key == "Credential") credential = part;
    if (key == "SignedHeaders") signed_headers = part;
    if (key == "Signature") signature = part;
  }
  const auto amz_date = header.find("x-amz-date");
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (amz_date == header.end()) {
    missing += "Authorization header requires existence of a 'X-Amz-Date' header. ";
  }
  if (!missing.empty()) incomplete(missing + "Authorization=" + std::string(value));
  SignatureClaim claim;
  read_credential(*credential, claim);
  read_signed_headers(*signed_headers, claim);
  claim.signature = *signature;
  claim.amz_date = trim_ows(amz_date->value());
  if (auto token = header.find("x-amz-security-token"); token != header.end()) {
    claim.session_token = trim_ows(token->value());
  }
  return claim;
}

/// The decoded value of each X-Amz-* parameter of a presigned query (nullopt: absent).
struct QueryParts {
  std::optional<std::string> algorithm, credential, date, expires, signed_headers, signature, token;
  bool any = false;
};

QueryParts query_parts(std::string_view query) {
  QueryParts parts;
  for (std::string_view rest = query; !rest.empty();) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string name = url_decode(pair.substr(0, eq)).value_or("");
    if (!name.starts_with("X-Amz-")) continue;
    std::string value =
        eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1)).value_or("");
    std::optional<std::string>* slot = nullptr;
    if (name == "X-Amz-Algorithm") slot = &parts.algorithm;
    if (name == "X-Amz-Credential") slot = &parts.credential;
    if (name == "X-Amz-Date") slot = &parts.date;
    if (name == "X-Amz-Expires") slot = &parts.expires;
    if (name == "X-Amz-SignedHeaders") slot = &parts.signed_headers;
    if (name == "X-Amz-Signature") slot = &parts.signature;
    if (name == "X-Amz-Security-Token") slot = &parts.token;
    if (!slot) continue;
    if (*slot) incomplete("The query string holds " + name + " twice");
    *slot = std::move(value);
    parts.any = parts.any || slot == &parts.algorithm;
  }
  return parts;
}

SignatureClaim from_query(QueryParts parts) {
  if (*parts.algorithm != kAlgorithm) {
    incomplete("X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256', not '" + *parts.algorithm + "'");
  }
  std::string missing;
  for (const auto& [name, part] : {std::pair{"X-Amz-Credential", &parts.credential},
                                   {"X-Amz-Signature", &parts.signature},
                                   {"X-Amz-Date", &parts.date},
                                   {"X-Amz-SignedHeaders", &parts.signed_headers},
                                   {"X-Amz-Expires", &parts.expires}}) {
    if (!*part) missing += (missing.empty() ? "'" : ", '") + std::string(name) + "'";
  }
  if (!missing.empty()) {
    incomplete("AWS query-string parameters must include " + missing +
               ". Re-examine the query-string parameters.");
  }
  SignatureClaim claim;
  claim.presigned = true;
  read_credential(*parts.credential, claim);
  read_signed_headers(*parts.signed_headers, claim);
  claim.signature = *parts.signature;
  claim.amz_date = *parts.date;
  int64_t expires = 0;
  const std::string& text = *parts.expires;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expires);
  if (ec != std::errc() || end != text.data() + text.size() || expires < 1 || expires > 604800) {
    incomplete("X-Amz-Expires must be a number of seconds from 1 to 604800 (a week), not '" + text +
               "'");
  }
  claim.expires_s = expires;
  if (parts.token) claim.session_token = *parts.token;
  return claim;
}

}  // namespace

std::optional<SignatureClaim> read_claim(const http::RequestHeader& header) {
  const std::string_view target = header.target();
  const size_t q = target.find('?');
  QueryParts parts;
  if (q != std::string_view::npos) parts = query_parts(target.substr(q + 1));
  const auto authorization = header.count(http::bhttp::field::authorization);
  if (authorization > 1) incomplete("The request holds more than one Authorization header");
  if (authorization == 1 && parts.any) {
    incomplete(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
        "Authorization header should be specified");
  }
  if (authorization == 1) {
    return from_header(header[http::bhttp::field::authorization], header);
  }
  if (parts.any) return from_query(std::move(parts));
  return std::nullopt;
}

std::optional<int64_t> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  if (!all_digits(text.substr(0, 8)) || !all_digits(text.substr(9, 6))) return std::nullopt;
  auto number = [&](size_t at, size_t length) {
    int value = 0;
    std::from_chars(text.data() + at, text.data() + at + length, value);
    return value;
  };
  using namespace std::chrono;
  const year_month_day day{year(number(0, 4)), month(static_cast<unsigned>(number(4, 2))),
                           std::chrono::day(static_cast<unsigned>(number(6, 2)))};
  const int hour = number(9, 2), minute = number(11, 2), second = number(13, 2);
  if (!day.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return sys_days(day).time_since_epoch().count() * int64_t{86400} + hour * 3600 + minute * 60 +
         second;
}

std::string format_amz_date(int64_t seconds) {
  using namespace std::chrono;
  const sys_seconds time{std::chrono::seconds(seconds)};
  const auto days = floor<std::chrono::days>(time);
  const year_month_day day{days};
  const hh_mm_ss clock{time - days};
  char text[32];
  std::snprintf(text, sizeof(text), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

}  // namespace lambdad::auth
