#include "lambdad/common/ids.hpp"

#include <cstdlib>
#include <random>

namespace lambdad {
namespace {

std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

std::string random_hex(size_t digits) {
  std::string out(digits, '0');
  uint64_t bits = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = rng()();
    out[i] = kHex[bits & 0xf];
    bits >>= 4;
  }
  return out;
}

std::string new_request_id() {
  std::string hex = random_hex(32);
  hex[12] = '4';                      // version 4
  hex[16] = kHex[8 + (hex[16] % 4)];  // variant 10xx
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20, 12);
}

std::string new_trace_header() {
  char epoch[9];
  std::snprintf(epoch, sizeof epoch, "%08llx",
                static_cast<unsigned long long>(epoch_ms() / 1000) & 0xffffffffULL);
  return "Root=1-" + std::string(epoch) + "-" + random_hex(24) + ";Parent=" + random_hex(16) +
         ";Sampled=0";
}

const std::string& region() {
  static const std::string value = [] {
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
      if (const char* v = std::getenv(name); v && *v) return std::string(v);
    }
    return std::string("us-east-1");
  }();
  return value;
}

std::string function_arn(std::string_view function, std::string_view qualifier) {
  std::string arn = "arn:aws:lambda:" + region() + ":" + kAccountId + ":function:";
  arn.append(function);
  if (!qualifier.empty()) arn.append(":").append(qualifier);
  return arn;
}

}  // namespace lambdad
