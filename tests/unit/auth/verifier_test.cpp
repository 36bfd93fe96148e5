// The verifier's refusals: each tampering a request can suffer (wrong secret, unknown key, outside
// the clock skew, another body under the same signature, a signed or unsigned header changed),
// half signatures, scopes and session tokens, and how each refusal renders in AWS's shapes.

#include "lambdad/auth/verifier.hpp"

#include <gtest/gtest.h>

#include "lambdad/auth/client_signer.hpp"
#include "lambdad/auth/signature_claim.hpp"
#include "lambdad/auth/sigv4.hpp"
#include "lambdad/http/error_response.hpp"

namespace lambdad::auth {
namespace {

using http::bhttp::verb;

constexpr const char* kDate = "20261207T101900Z";

std::chrono::system_clock::time_point now(int offset_s = 0) {
  return std::chrono::system_clock::time_point(
      std::chrono::seconds(*parse_amz_date(kDate) + offset_s));
}

/// Signs `r` as an SDK does (the signature vectors of sigv4_test.cpp pin the primitives).
void sign(http::Request& r, std::string_view key, std::string_view secret,
          std::vector<std::string> signed_headers, std::string_view service = "lambda",
          std::string_view token = "") {
  r.set("X-Amz-Date", kDate);
  if (!token.empty()) r.set("X-Amz-Security-Token", token);
  const auto sent = r.find("x-amz-content-sha256");
  const std::string hash = sent != r.end() ? std::string(sent->value()) : sha256_hex(r.body());
  const std::string scope = credential_scope("20261207", "us-east-1", service);
  const std::string text =
      string_to_sign(kDate, scope, canonical_request(r.base(), false, signed_headers, hash));
  std::string list;
  for (const auto& h : signed_headers) list += (list.empty() ? "" : ";") + h;
  r.set(
      http::bhttp::field::authorization,
      "AWS4-HMAC-SHA256 Credential=" + std::string(key) + "/" + scope + ", SignedHeaders=" + list +
          ", Signature=" + signature(signing_key(secret, "20261207", "us-east-1", service), text));
}

http::Request invoke(std::string body = R"({"n":1})") {
  http::Request r{verb::post, "/2015-03-31/functions/Hello/invocations", 11};
  r.set(http::bhttp::field::host, "127.0.0.1:3001");
  r.set("X-Amz-Invocation-Type", "RequestResponse");
  r.set("X-Amz-User-Agent", "aws-cli/2");
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() { credentials_.add_pairs({"AKIDLOCAL:s3cr3t", "AKIDOTHER:other:with:colons"}); }

  Failure refusal(http::Request& r, int offset_s = 0) {
    try {
      verify(credentials_, r, {"lambda"}, now(offset_s));
    } catch (const AuthError& e) {
      last_message_ = e.message;
      return e.failure;
    }
    ADD_FAILURE() << "the request passed";
    return Failure::kMissing;
  }

  Credentials credentials_;
  std::string last_message_;
  const std::vector<std::string> headers_ = {"host", "x-amz-date", "x-amz-invocation-type"};
};

TEST_F(VerifierTest, SignedRequestPasses) {
  auto r = invoke();
  sign(r, "AKIDLOCAL", "s3cr3t", headers_);
  EXPECT_EQ(verify(credentials_, r, {"lambda"}, now()).access_key, "AKIDLOCAL");
  auto colons = invoke();
  sign(colons, "AKIDOTHER", "other:with:colons", headers_);
  EXPECT_NO_THROW(verify(credentials_, colons, {"lambda"}, now()));
}

TEST_F(VerifierTest, WrongSecret) {
  auto r = invoke();
  sign(r, "AKIDLOCAL", "not-the-secret", headers_);
  EXPECT_EQ(refusal(r), Failure::kBadSignature);
  EXPECT_TRUE(last_message_.starts_with(
      "The request signature we calculated does not match the signature you provided."));
  EXPECT_NE(last_message_.find("The Canonical String for this request should have been\n'POST\n"),
            std::string::npos);
  EXPECT_EQ(last_message_.find("s3cr3t"), std::string::npos);
}

TEST_F(VerifierTest, UnknownKey) {
  auto r = invoke();
  sign(r, "AKIDUNKNOWN", "s3cr3t", headers_);
  EXPECT_EQ(refusal(r), Failure::kUnknownKey);
  EXPECT_EQ(last_message_, "The security token included in the request is invalid.");
}

TEST_F(VerifierTest, ClockSkewOfFiveMinutesEitherWay) {
  auto r = invoke();
  sign(r, "AKIDLOCAL", "s3cr3t", headers_);
  EXPECT_NO_THROW(verify(credentials_, r, {"lambda"}, now(300)));
  EXPECT_NO_THROW(verify(credentials_, r, {"lambda"}, now(-300)));
  EXPECT_EQ(refusal(r, 301), Failure::kExpired);
  EXPECT_EQ(last_message_,
            "Signature expired: 20261207T101900Z is now earlier than 20261207T101901Z "
            "(20261207T102401Z - 5 min.)");
  EXPECT_EQ(refusal(r, -301), Failure::kExpired);  // a date in the future
  EXPECT_EQ(last_message_,
            "Signature not yet current: 20261207T101900Z is still later than 20261207T101859Z "
            "(20261207T101359Z + 5 min.)");
}

TEST_F(VerifierTest, BodyReplayedUnderAnotherRequestsSignature) {
  auto r = invoke(R"({"amount":1})");
  sign(r, "AKIDLOCAL", "s3cr3t", headers_);
  r.body() = R"({"amount":1000})";
  r.prepare_payload();
  EXPECT_EQ(refusal(r), Failure::kBadSignature);
  // The same with the body's hash sent in x-amz-content-sha256 (and signed).
  auto hashed = invoke(R"({"amount":1})");
  hashed.set("x-amz-content-sha256", sha256_hex(hashed.body()));
  sign(hashed, "AKIDLOCAL", "s3cr3t",
       {"host", "x-amz-content-sha256", "x-amz-date", "x-amz-invocation-type"});
  EXPECT_NO_THROW(verify(credentials_, hashed, {"lambda"}, now()));
  hashed.body() = R"({"amount":1000})";
  EXPECT_EQ(refusal(hashed), Failure::kBadSignature);
  EXPECT_EQ(last_message_,
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST_F(VerifierTest, UnsignedPayloadAcceptsAnyBody) {
  auto r = invoke(R"({"a":1})");
  r.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  sign(r, "AKIDLOCAL", "s3cr3t", headers_);
  r.body() = "another body";
  EXPECT_NO_THROW(verify(credentials_, r, {"lambda"}, now()));
  // …but the claim itself is signed: a client cannot turn a signed payload into an unsigned one.
  auto signed_body = invoke();
  sign(signed_body, "AKIDLOCAL", "s3cr3t", headers_);
  signed_body.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  EXPECT_EQ(refusal(signed_body), Failure::kBadSignature);
}

TEST_F(VerifierTest, UnsignedHeaderTamperedPasses) {
  auto r = invoke();
  sign(r, "AKIDLOCAL", "s3cr3t", headers_);
  r.set("X-Amz-User-Agent", "something else");
  r.set("X-Added-Later", "1");
  EXPECT_NO_THROW(verify(credentials_, r, {"lambda"}, now()));
}

TEST_F(VerifierTest, SignedHeaderTamperedFails) {
  auto r = invoke();
  sign(r, "AKIDLOCAL", "s3cr3t", headers_);
  r.set("X-Amz-Invocation-Type", "Event");
  EXPECT_EQ(refusal(r), Failure::kBadSignature);
  auto path = invoke();
  sign(path, "AKIDLOCAL", "s3cr3t", headers_);
  path.target("/2015-03-31/functions/Other/invocations");
  EXPECT_EQ(refusal(path), Failure::kBadSignature);
  auto query = invoke();
  sign(query, "AKIDLOCAL", "s3cr3t", headers_);
  query.target("/2015-03-31/functions/Hello/invocations?Qualifier=2");
  EXPECT_EQ(refusal(query), Failure::kBadSignature);
}

TEST_F(VerifierTest, NoSignatureIsMissing) {
  auto r = invoke();
  EXPECT_EQ(refusal(r), Failure::kMissing);
  EXPECT_EQ(last_message_, "Missing Authentication Token");
}

TEST_F(VerifierTest, HalfSignaturesAreIncomplete) {
  auto r = invoke();
  r.set("X-Amz-Date", kDate);
  r.set(http::bhttp::field::authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/lambda/aws4_request");
  EXPECT_EQ(refusal(r), Failure::kIncomplete);
  EXPECT_EQ(last_message_,
            "Authorization header requires 'Signature' parameter. Authorization header requires "
            "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 "
            "Credential=AKIDLOCAL/20261207/us-east-1/lambda/aws4_request");
  for (const char* bad :
       {"Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/lambda/aws4_request, SignedHeaders=host, "
        "Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/2026127/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/lambda/aws5_request, "
        "SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/lambda/aws4_request, "
        "SignedHeaders=x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host;;x-amz-date, Signature=00"}) {
    r.set(http::bhttp::field::authorization, bad);
    EXPECT_EQ(refusal(r), Failure::kIncomplete) << bad;
  }
  auto no_date = invoke();
  sign(no_date, "AKIDLOCAL", "s3cr3t", {"host"});
  no_date.erase("X-Amz-Date");
  EXPECT_EQ(refusal(no_date), Failure::kIncomplete);
  auto both = invoke();
  sign(both, "AKIDLOCAL", "s3cr3t", headers_);
  both.target(std::string(both.target()) + "?X-Amz-Algorithm=AWS4-HMAC-SHA256");
  EXPECT_EQ(refusal(both), Failure::kIncomplete);
}

TEST_F(VerifierTest, ScopeMustNameAnAcceptedServiceAndTheRequestsDate) {
  auto s3 = invoke();
  sign(s3, "AKIDLOCAL", "s3cr3t", headers_, "s3");
  EXPECT_EQ(refusal(s3), Failure::kBadSignature);
  EXPECT_EQ(last_message_, "Credential should be scoped to correct service: 'lambda'. ");
  auto date = invoke();
  sign(date, "AKIDLOCAL", "s3cr3t", headers_);
  date.set("X-Amz-Date", "20261208T101900Z");
  EXPECT_EQ(refusal(date, 86400), Failure::kBadSignature);
  EXPECT_NE(last_message_.find("'20261207' != '20261208'"), std::string::npos);
}

TEST_F(VerifierTest, SessionKeysNeedTheirToken) {
  credentials_.add("ASIAWORKER", {.secret = "worker-secret", .session_token = "token-1"});
  auto good = invoke();
  sign(good, "ASIAWORKER", "worker-secret", headers_, "lambda", "token-1");
  EXPECT_NO_THROW(verify(credentials_, good, {"lambda"}, now()));
  auto none = invoke();
  sign(none, "ASIAWORKER", "worker-secret", headers_);
  EXPECT_EQ(refusal(none), Failure::kUnknownKey);
  auto wrong = invoke();
  sign(wrong, "ASIAWORKER", "worker-secret", headers_, "lambda", "token-2");
  EXPECT_EQ(refusal(wrong), Failure::kUnknownKey);
  // A long-term key ignores a stray token (an old AWS_SESSION_TOKEN in the client's environment).
  auto stray = invoke();
  sign(stray, "AKIDLOCAL", "s3cr3t", headers_, "lambda", "leftover");
  EXPECT_NO_THROW(verify(credentials_, stray, {"lambda"}, now()));
  credentials_.remove("ASIAWORKER");
  EXPECT_EQ(refusal(good), Failure::kUnknownKey);
}

TEST_F(VerifierTest, WorkerKeysAreIssuedRandomAndRevocable) {
  const IssuedKey a = credentials_.issue_worker_key();
  const IssuedKey b = credentials_.issue_worker_key();
  EXPECT_TRUE(a.access_key_id.starts_with("ASIA"));
  EXPECT_EQ(a.access_key_id.size(), 20u);
  EXPECT_EQ(a.secret.size(), 40u);
  EXPECT_NE(a.access_key_id, b.access_key_id);
  EXPECT_NE(a.secret, b.secret);
  EXPECT_NE(a.session_token, b.session_token);
  auto r = invoke();
  sign(r, a.access_key_id, a.secret, headers_, "lambda", a.session_token);
  const Verified verified = verify(credentials_, r, {"lambda"}, now());
  EXPECT_TRUE(verified.worker);
  auto user = invoke();
  sign(user, "AKIDLOCAL", "s3cr3t", headers_);
  EXPECT_FALSE(verify(credentials_, user, {"lambda"}, now()).worker);
  credentials_.remove(a.access_key_id);
  EXPECT_EQ(refusal(r), Failure::kUnknownKey);
}

TEST_F(VerifierTest, SigningKeyCacheFollowsTheScope) {
  auto r = invoke();
  sign(r, "AKIDLOCAL", "s3cr3t", headers_);
  EXPECT_NO_THROW(verify(credentials_, r, {"lambda", "logs"}, now()));
  auto logs = invoke();
  sign(logs, "AKIDLOCAL", "s3cr3t", headers_, "logs");  // another scope: a new key
  EXPECT_NO_THROW(verify(credentials_, logs, {"lambda", "logs"}, now()));
  auto wrong = invoke();
  sign(wrong, "AKIDLOCAL", "not-it", headers_, "logs");  // the cached key does not help it
  EXPECT_THROW(verify(credentials_, wrong, {"lambda", "logs"}, now()), AuthError);
}

TEST_F(VerifierTest, ClientSignerIsWhatTheVerifierAccepts) {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}};
  const std::string body = R"({"logGroupName":"/aws/lambda/F"})";
  http::Request r{verb::post, "/base/?a=b%20c", 11};
  r.set(http::bhttp::field::host, "[::1]:3001");
  for (const auto& [name, value] : headers) r.set(name, value);
  const auto added = signature_headers(
      {.access_key_id = "AKIDLOCAL", .secret = "s3cr3t", .session_token = "tok"}, "POST",
      "[::1]:3001", "/base/?a=b%20c", headers, body, "sa-east-1", "logs", now());
  for (const auto& [name, value] : added) r.set(name, value);
  r.body() = body;
  EXPECT_EQ(r["X-Amz-Date"], kDate);
  EXPECT_EQ(r["X-Amz-Security-Token"], "tok");
  EXPECT_EQ(verify(credentials_, r, {"logs"}, now()).region, "sa-east-1");
  r.body() = "{}";
  EXPECT_THROW(verify(credentials_, r, {"logs"}, now()), AuthError);
}

TEST_F(VerifierTest, PresignedQueryFormChecks) {
  http::Request r{verb::get, "/2015-03-31/functions/Hello?X-Amz-Algorithm=AWS4-HMAC-SHA512", 11};
  r.set(http::bhttp::field::host, "127.0.0.1:3001");
  EXPECT_EQ(refusal(r), Failure::kIncomplete);
  r.target("/2015-03-31/functions/Hello?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" +
           std::string(kDate));
  EXPECT_EQ(refusal(r), Failure::kIncomplete);
  EXPECT_EQ(last_message_,
            "AWS query-string parameters must include 'X-Amz-Credential', 'X-Amz-Signature', "
            "'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine the query-string parameters.");
  r.target(
      "/f?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDLOCAL%2F20261207%2Fus-east-1%"
      "2Flambda%2Faws4_request&X-Amz-Date=20261207T101900Z&X-Amz-Expires=604801&"
      "X-Amz-SignedHeaders=host&X-Amz-Signature=00");
  EXPECT_EQ(refusal(r), Failure::kIncomplete);
}

TEST_F(VerifierTest, CredentialsParsing) {
  Credentials c;
  c.add_pairs(Credentials::split_list(" K1:S1 , K2:S:2,,"));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c.find("K2")->secret, "S:2");
  EXPECT_NO_THROW(c.add_pairs({"K1:S1"}));  // the same pair twice
  for (const char* bad : {"nocolon", ":secret", "key:", "a/b:s", "a b:s"}) {
    EXPECT_THROW(c.add_pairs({bad}), std::invalid_argument) << bad;
  }
  try {
    c.add_pairs({"K1:another-secret"});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("another-secret"), std::string::npos);
  }
}

TEST(AuthErrorTest, AwsShapesPerProtocol) {
  const AuthError expired(Failure::kExpired, "Signature expired: x");
  const AwsError rest = to_aws_error(expired, Protocol::kRestJson);
  EXPECT_EQ(rest.status, 403);
  EXPECT_EQ(rest.type, "InvalidSignatureException");
  http::RequestHeader header;
  header.version(11);
  const auto response = http::lambda_error(header, rest, "rid");
  EXPECT_EQ(response["x-amzn-ErrorType"], "InvalidSignatureException");
  EXPECT_EQ(response.body(), R"({"message":"Signature expired: x"})");
  const AwsError json = to_aws_error(expired, Protocol::kJson11);
  EXPECT_EQ(json.status, 400);
  EXPECT_EQ(to_aws_error({Failure::kMissing, ""}, Protocol::kRestJson).type,
            "MissingAuthenticationTokenException");
  EXPECT_EQ(to_aws_error({Failure::kIncomplete, ""}, Protocol::kRestJson).type,
            "IncompleteSignatureException");
  EXPECT_EQ(to_aws_error({Failure::kUnknownKey, ""}, Protocol::kRestJson).type,
            "UnrecognizedClientException");
  const AwsError denied = to_aws_error({Failure::kAccessDenied, "no"}, Protocol::kRestJson);
  EXPECT_EQ(denied.type, "AccessDeniedException");
  EXPECT_EQ(nlohmann::json::parse(http::lambda_error(header, denied, "rid").body()),
            nlohmann::json::parse(R"({"Type":"User","Message":"no"})"));
}

}  // namespace
}  // namespace lambdad::auth
