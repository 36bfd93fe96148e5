// The lambda port's cost of a SigV4 check (auth::verify) per request: an Invoke signed over a
// 100 B, a 64 KiB and a 1 MiB body, header form; prints µs per verification.
//   bench_sigv4_verify [ROUNDS]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lambdad/auth/signature_claim.hpp"
#include "lambdad/auth/sigv4.hpp"
#include "lambdad/auth/verifier.hpp"

using namespace lambdad;
using namespace lambdad::auth;

namespace {

http::Request signed_invoke(size_t body_bytes) {
  http::Request r{http::bhttp::verb::post, "/2015-03-31/functions/Trivial/invocations", 11};
  r.set(http::bhttp::field::host, "127.0.0.1:3001");
  r.set(http::bhttp::field::content_type, "application/json");
  r.set("X-Amz-Invocation-Type", "RequestResponse");
  r.set("X-Amz-Date", "20261207T101900Z");
  r.set("User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12");
  r.body() = "\"" + std::string(body_bytes - 2, 'x') + "\"";
  r.prepare_payload();
  const std::vector<std::string> headers = {"content-type", "host", "x-amz-date",
                                            "x-amz-invocation-type"};
  const std::string scope = credential_scope("20261207", "us-east-1", "lambda");
  const std::string text = string_to_sign(
      "20261207T101900Z", scope, canonical_request(r.base(), false, headers, sha256_hex(r.body())));
  r.set(http::bhttp::field::authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDBENCH/" + scope +
            ", SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type, Signature=" +
            signature(signing_key("secret", "20261207", "us-east-1", "lambda"), text));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 20000;
  Credentials credentials;
  credentials.add_pairs({"AKIDBENCH:secret"});
  const auto now = std::chrono::system_clock::time_point(
      std::chrono::seconds(*parse_amz_date("20261207T101900Z")));
  for (size_t bytes : {size_t{100}, size_t{64 * 1024}, size_t{1024 * 1024}}) {
    const http::Request original = signed_invoke(bytes);
    const int n = bytes > 100000 ? rounds / 100 + 1 : (bytes > 1000 ? rounds / 10 + 1 : rounds);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      http::Request r = original;
      (void)verify(credentials, r, {"lambda"}, now);
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    std::printf("verify, %7zu B body: %8.2f us per request (%d rounds, request copy included)\n",
                bytes, static_cast<double>(ns) / n / 1000.0, n);
  }
}
