// SigV4 parsing of untrusted requests: the input's first line is the request target, the second
// the Authorization header, the third X-Amz-Date, the rest the body. Verified as sent (every
// parse of the claim, the canonical request, the time checks), then signed properly as a
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD request so that the aws-chunked decoder reads the body.

#include <chrono>

#include "lambdad/auth/signature_claim.hpp"
#include "lambdad/auth/sigv4.hpp"
#include "lambdad/auth/verifier.hpp"

namespace {

using namespace lambdad;
using namespace lambdad::auth;

std::string_view take_line(std::string_view& text) {
  const size_t eol = text.find('\n');
  const std::string_view line = text.substr(0, eol);
  text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  return line;
}

const Credentials& credentials() {
  static const Credentials keys = [] {
    Credentials c;
    c.add_pairs({"AKIDFUZZ:secret"});
    c.add("ASIAFUZZ", {.secret = "worker", .session_token = "token"});
    return c;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view target = take_line(text);
  const std::string_view authorization = take_line(text);
  const std::string_view amz_date = take_line(text);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1796638740));
  http::Request request;
  try {
    request.method(http::bhttp::verb::post);
    request.target(target);
    request.set(http::bhttp::field::host, "127.0.0.1:3001");
    if (!authorization.empty()) request.set(http::bhttp::field::authorization, authorization);
    request.set("X-Amz-Date", amz_date);
  } catch (const std::exception&) {
    return 0;  // Beast refuses the field (a CR or LF in it): never a request on the wire
  }
  request.body() = std::string(text);
  (void)canonical_uri(target.substr(0, target.find('?')));
  (void)canonical_query(
      target.substr(target.find('?') == std::string_view::npos ? target.size()
                                                               : target.find('?') + 1),
      true);
  (void)parse_amz_date(amz_date);
  try {
    http::Request copy = request;
    (void)verify(credentials(), copy, {"lambda", "logs"}, now);
  } catch (const AuthError&) {
  }
  // Properly signed, so that the chunk decoder runs over the body.
  request.erase(http::bhttp::field::authorization);
  request.set("X-Amz-Date", "20261207T101900Z");
  request.set("x-amz-content-sha256", kStreamingPayload);
  const std::vector<std::string> headers = {"host", "x-amz-content-sha256", "x-amz-date"};
  const std::string scope = credential_scope("20261207", "us-east-1", "lambda");
  const std::string key = signing_key("secret", "20261207", "us-east-1", "lambda");
  const std::string sts =
      string_to_sign("20261207T101900Z", scope,
                     canonical_request(request.base(), false, headers, kStreamingPayload));
  request.set(
      http::bhttp::field::authorization,
      "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/" + scope +
          ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + signature(key, sts));
  try {
    (void)verify(credentials(), request, {"lambda"}, now);
  } catch (const AuthError&) {
  }
  return 0;
}
