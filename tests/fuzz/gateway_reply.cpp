// A function's reply bytes as the gateway maps them to an HTTP response: format 1.0 for a REST
// API (with and without a binary Accept) and for an HTTP API on payload 1.0, and format 2.0.
// Malformed replies are answered 502/500 by the gateway: here they only must not crash.

#include "lambdad/gateway/response_mapping.hpp"

namespace {

using namespace lambdad::gateway;

ApiInfo api(ApiKind kind) {
  ApiInfo info;
  info.kind = kind;
  info.logical_id = kind == ApiKind::kRest ? "ServerlessRestApi" : "ServerlessHttpApi";
  info.binary_media_types = {"image/png", "*/*"};
  return info;
}

void check(const std::optional<MappedResponse>& mapped, const std::string& why) {
  if (!mapped && why.empty()) __builtin_trap();  // a refusal always says why
  if (mapped && (mapped->status < 100 || mapped->status > 599)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ApiInfo rest = api(ApiKind::kRest);
  static const ApiInfo http = api(ApiKind::kHttp);
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  std::string why;
  check(map_v1_response(payload, rest, "", why), why);
  why.clear();
  check(map_v1_response(payload, rest, "image/png", why), why);
  why.clear();
  check(map_v1_response(payload, http, "", why), why);
  why.clear();
  check(map_v2_response(payload, why), why);
  return 0;
}
