// A request's SigV4 signature checked in AWS's order: its form, its scope, the key, the clock,
// the payload's hash, the signature, then each chunk of a chunk-signed body.

#include "lambdad/auth/verifier.hpp"

#include <algorithm>

#include "chunked_payload.hpp"
#include "lambdad/auth/signature_claim.hpp"
#include "lambdad/auth/sigv4.hpp"

namespace lambdad::auth {
namespace {

constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

bool lower_hex_digest(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

/// Whether the request's time is within reach: `amz` seconds against `now`.
void check_time(const SignatureClaim& claim, int64_t amz, int64_t now) {
  const int64_t skew = kClockSkew.count();
  if (amz > now + skew) {
    throw AuthError(Failure::kExpired, "Signature not yet current: " + claim.amz_date +
                                           " is still later than " + format_amz_date(now + skew) +
                                           " (" + format_amz_date(now) + " + 5 min.)");
  }
  if (claim.expires_s) {
    if (now > amz + *claim.expires_s) {
      throw AuthError(Failure::kExpired,
                      "Signature expired: " + claim.amz_date + " is now earlier than " +
                          format_amz_date(now - *claim.expires_s) + " (" + format_amz_date(now) +
                          " - " + std::to_string(*claim.expires_s) + " sec.)");
    }
  } else if (amz < now - skew) {
    throw AuthError(Failure::kExpired, "Signature expired: " + claim.amz_date +
                                           " is now earlier than " + format_amz_date(now - skew) +
                                           " (" + format_amz_date(now) + " - 5 min.)");
  }
}

/// The canonical request's last line, after checking the body against what the client claims.
std::string payload_hash(const http::Request& request, bool& streaming) {
  const auto sent = request.find("x-amz-content-sha256");
  if (sent == request.end()) return sha256_hex(request.body());
  const std::string_view value = sent->value();
  if (value == kUnsignedPayload) return std::string(value);
  if (value == kStreamingPayload) {
    streaming = true;
    return std::string(value);
  }
  if (!lower_hex_digest(value)) {
    throw AuthError(Failure::kIncomplete,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD or the body's SHA-256 in lower-case hex, "
                    "not '" +
                        std::string(value) + "'");
  }
  // The signature covers the claimed hash: the body must be the one it names, or a signed
  // request could be replayed with another body.
  if (!same(sha256_hex(request.body()), value)) {
    throw AuthError(Failure::kBadSignature,
                    "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return std::string(value);
}

/// The aws-chunked body replaced by its payload, as the handlers expect a body.
void decode_streaming_body(http::Request& request, const ChunkChain& chain) {
  std::string payload = decode_signed_chunks(request.body(), chain);
  if (auto length = request.find("x-amz-decoded-content-length"); length != request.end()) {
    if (length->value() != std::to_string(payload.size())) {
      throw AuthError(Failure::kIncomplete,
                      "x-amz-decoded-content-length says " + std::string(length->value()) +
                          " bytes; the aws-chunked body holds " + std::to_string(payload.size()));
    }
  }
  request.body() = std::move(payload);
  // Content-Encoding without its aws-chunked coding (the only one, as the SDKs send it).
  if (auto encoding = request.find(http::bhttp::field::content_encoding);
      encoding != request.end()) {
    std::string rest;
    for (std::string_view codings = encoding->value(); !codings.empty();) {
      const size_t comma = codings.find(',');
      std::string_view coding = codings.substr(0, comma);
      codings = comma == std::string_view::npos ? std::string_view() : codings.substr(comma + 1);
      while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
      while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
      if (coding.empty() || coding == "aws-chunked") continue;
      rest += (rest.empty() ? "" : ",") + std::string(coding);
    }
    if (rest.empty()) {
      request.erase(http::bhttp::field::content_encoding);
    } else {
      request.set(http::bhttp::field::content_encoding, rest);
    }
  }
  request.content_length(request.body().size());
}

}  // namespace

Verified verify(const Credentials& credentials, http::Request& request,
                const std::vector<std::string_view>& services,
                std::chrono::system_clock::time_point now) {
  const std::optional<SignatureClaim> found = read_claim(request.base());
  if (!found) throw AuthError(Failure::kMissing, "Missing Authentication Token");
  const SignatureClaim& claim = *found;
  if (std::find(services.begin(), services.end(), claim.service) == services.end()) {
    throw AuthError(Failure::kBadSignature, "Credential should be scoped to correct service: '" +
                                                std::string(services.empty() ? "" : services[0]) +
                                                "'. ");
  }
  const AccessKey* key = credentials.find(claim.access_key);
  if (!key) throw AuthError(Failure::kUnknownKey, std::string(kInvalidToken));
  if (!key->session_token.empty() && !same(key->session_token, claim.session_token)) {
    throw AuthError(Failure::kUnknownKey, std::string(kInvalidToken));
  }
  const std::optional<int64_t> amz = parse_amz_date(claim.amz_date);
  if (!amz) {
    throw AuthError(Failure::kIncomplete,
                    "X-Amz-Date must be in the ISO8601 basic format YYYYMMDD'T'HHMMSS'Z', not '" +
                        claim.amz_date + "'");
  }
  if (claim.date != std::string_view(claim.amz_date).substr(0, 8)) {
    throw AuthError(Failure::kBadSignature,
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                    "date from HTTP: '" +
                        claim.date + "' != '" + claim.amz_date.substr(0, 8) + "', from '" +
                        claim.amz_date + "'.");
  }
  check_time(claim, *amz,
             std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  bool streaming = false;
  const std::string hash = payload_hash(request, streaming);
  const std::string scope = credential_scope(claim.date, claim.region, claim.service);
  const std::string canonical =
      canonical_request(request.base(), claim.presigned, claim.signed_headers, hash);
  const std::string text = string_to_sign(claim.amz_date, scope, canonical);
  if (key->cached_scope != scope) {
    key->cached_signing_key = signing_key(key->secret, claim.date, claim.region, claim.service);
    key->cached_scope = scope;
  }
  const std::string& signing = key->cached_signing_key;
  const std::string expected = signature(signing, text);
  if (!same(expected, claim.signature)) {
    // As AWS does: the canonical request and string to sign the server used (nothing secret:
    // the client sent every part), so a client author can see where the two differ.
    throw AuthError(Failure::kBadSignature,
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your AWS Secret Access Key and signing method. Consult the "
                    "service documentation for details.\n\nThe Canonical String for this request "
                    "should have been\n'" +
                        canonical + "'\n\nThe String-to-Sign should have been\n'" + text + "'\n");
  }
  if (streaming) {
    decode_streaming_body(request, {.signing_key = signing,
                                    .amz_date = claim.amz_date,
                                    .scope = scope,
                                    .seed_signature = expected});
  }
  return {.access_key = claim.access_key,
          .service = claim.service,
          .region = claim.region,
          .worker = key->worker};
}

}  // namespace lambdad::auth
