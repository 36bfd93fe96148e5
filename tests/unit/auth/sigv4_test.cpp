// SigV4 against vectors: AWS's own documented examples (the IAM ListUsers request and the S3
// chunked upload of "Signature Calculations for the Authorization Header: Transferring Payload in
// Multiple Chunks"), and Lambda / Logs requests signed by botocore's signer at a fixed time
// (an implementation independent of ours; the chunk chain was cross-checked by a hand-written
// Python version of the documented algorithm that reproduces AWS's published figures).

#include "lambdad/auth/sigv4.hpp"

#include <gtest/gtest.h>

#include "lambdad/auth/signature_claim.hpp"
#include "lambdad/auth/verifier.hpp"

namespace lambdad::auth {
namespace {

using http::bhttp::verb;

constexpr const char* kKey = "AKIDEXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::chrono::system_clock::time_point at(std::string_view amz_date, int offset_s = 0) {
  return std::chrono::system_clock::time_point(
      std::chrono::seconds(*parse_amz_date(amz_date) + offset_s));
}

Credentials example_credentials() {
  Credentials credentials;
  credentials.add(kKey, {.secret = kSecret, .session_token = {}});
  return credentials;
}

http::Request request(verb method, std::string target, std::string host, std::string body = "") {
  http::Request r{method, target, 11};
  r.set(http::bhttp::field::host, host);
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

TEST(SigV4Test, UriEncodingIsStrictRfc3986) {
  EXPECT_EQ(uri_encode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b+c/d:é", false), "a%20b%2Bc%2Fd%3A%C3%A9");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
}

TEST(SigV4Test, CanonicalUriNormalisesAndEncodesTwice) {
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/"), "/");
  EXPECT_EQ(canonical_uri("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(canonical_uri("/../.."), "/");
  // The path as sent is encoded once; its canonical form is encoded again.
  EXPECT_EQ(canonical_uri("/2015-03-31/functions/arn%3Aaws%3Alambda/invocations"),
            "/2015-03-31/functions/arn%253Aaws%253Alambda/invocations");
  EXPECT_EQ(canonical_uri("/x y"), "/x%20y");
}

TEST(SigV4Test, CanonicalQuerySortsAndReencodes) {
  EXPECT_EQ(canonical_query("b=2&a=1&a=0&c", false), "a=0&a=1&b=2&c=");
  EXPECT_EQ(canonical_query("Marker=a%2Fb%20c%2Bd", false), "Marker=a%2Fb%20c%2Bd");
  EXPECT_EQ(canonical_query("k=a+b&k2=a%2bb&&", false), "k=a%2Bb&k2=a%2Bb");
  EXPECT_EQ(canonical_query("k=%zz", false), "k=%25zz");
  EXPECT_EQ(canonical_query("X-Amz-Signature=abc&A=1", true), "A=1");
  EXPECT_EQ(canonical_query("X-Amz-Signature=abc&A=1", false), "A=1&X-Amz-Signature=abc");
}

TEST(SigV4Test, HeaderValuesTrimmedFoldedAndJoined) {
  http::RequestHeader header;
  header.insert("X-Custom", "  two   spaces\there  ");
  header.insert("X-Multi", "a");
  header.insert("x-multi", " b  c ");
  EXPECT_EQ(canonical_header_value(header, "x-custom"), "two spaces here");
  EXPECT_EQ(canonical_header_value(header, "x-multi"), "a,b c");
  EXPECT_EQ(canonical_header_value(header, "x-absent"), "");
}

TEST(SigV4Test, AwsDocumentedIamExample) {
  auto r = request(verb::get, "/?Action=ListUsers&Version=2010-05-08", "iam.amazonaws.com");
  r.set(http::bhttp::field::content_type, "application/x-www-form-urlencoded; charset=utf-8");
  r.set("X-Amz-Date", "20150830T123600Z");
  r.set(http::bhttp::field::authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  const std::string canonical =
      canonical_request(r.base(), false, {"content-type", "host", "x-amz-date"}, sha256_hex(""));
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(canonical),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  const auto verified = verify(example_credentials(), r, {"iam"}, at("20150830T123600Z"));
  EXPECT_EQ(verified.access_key, kKey);
  EXPECT_EQ(verified.region, "us-east-1");
}

TEST(SigV4Test, BotocoreInvokeWithArnPathAndQualifier) {
  auto r = request(verb::post,
                   "/2015-03-31/functions/"
                   "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3AHello/"
                   "invocations?Qualifier=%24LATEST",
                   "127.0.0.1:3001", R"({"hello": "world"})");
  r.set("X-Amz-Invocation-Type", "RequestResponse");
  r.set(http::bhttp::field::content_type, "application/json");
  r.set("X-Amz-Date", "20261207T101900Z");
  r.set(http::bhttp::field::authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/eu-west-3/lambda/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type, "
        "Signature=d3c5780f100a11bbd3addc608f100f94b2ab3d97606206441cb02904089ca23b");
  EXPECT_EQ(verify(example_credentials(), r, {"lambda"}, at("20261207T101900Z")).region,
            "eu-west-3");
}

TEST(SigV4Test, BotocoreListWithEncodedQueryAndFoldedHeader) {
  auto r = request(verb::get,
                   "/2015-03-31/functions/?Marker=a%2Fb%20c%2Bd&MaxItems=10&FunctionVersion=ALL",
                   "localhost:3001");
  r.set("X-Custom", "  two   spaces\there  ");
  r.set("X-Amz-Date", "20261207T101900Z");
  r.set(http::bhttp::field::authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-custom, "
        "Signature=e92d0c371f898cb0ea41a63ac5c896c50a93c34a30413490b7998e8bc5ef6685");
  EXPECT_NO_THROW(verify(example_credentials(), r, {"lambda"}, at("20261207T101900Z")));
}

http::Request logs_request() {
  auto r = request(verb::post, "/", "127.0.0.1:3001", R"({"logGroupName":"/aws/lambda/Hello"})");
  r.set("X-Amz-Target", "Logs_20140328.FilterLogEvents");
  r.set(http::bhttp::field::content_type, "application/x-amz-json-1.1");
  r.set("X-Amz-Date", "20261207T101900Z");
  r.set(http::bhttp::field::authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/logs/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=68942e7e67a5162fc32865011eb10c0f6c17894432064000cd0e98c78efd1f61");
  return r;
}

TEST(SigV4Test, BotocoreLogsCall) {
  auto r = logs_request();
  EXPECT_EQ(verify(example_credentials(), r, {"lambda", "logs"}, at("20261207T101900Z")).service,
            "logs");
}

const char* const kPresigned =
    "/2015-03-31/functions/Hello?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%"
    "2F20261207%2Fus-east-1%2Flambda%2Faws4_request&X-Amz-Date=20261207T101900Z&X-Amz-Expires="
    "900&X-Amz-SignedHeaders=host&X-Amz-Signature="
    "89f47809ce70f1804a996c6bc1ca2146bc23a4090b99d304b021446e729b0350";

TEST(SigV4Test, BotocorePresignedUrlWithinItsExpiry) {
  auto r = request(verb::get, kPresigned, "127.0.0.1:3001");
  EXPECT_NO_THROW(verify(example_credentials(), r, {"lambda"}, at("20261207T101900Z", 899)));
  try {
    verify(example_credentials(), r, {"lambda"}, at("20261207T101900Z", 901));
    FAIL() << "an expired presigned URL passed";
  } catch (const AuthError& e) {
    EXPECT_EQ(e.failure, Failure::kExpired);
    EXPECT_EQ(e.message,
              "Signature expired: 20261207T101900Z is now earlier than 20261207T101901Z "
              "(20261207T103401Z - 900 sec.)");
  }
}

/// AWS's S3 example: 65 KiB of 'a' in chunks of 64 KiB, 1 KiB and 0.
http::Request chunked_example() {
  std::string body =
      "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n";
  body += std::string(65536, 'a') + "\r\n";
  body +=
      "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n";
  body += std::string(1024, 'a') + "\r\n";
  body +=
      "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
  auto r = request(verb::put, "/examplebucket/chunkObject.txt", "s3.amazonaws.com", body);
  r.set("x-amz-date", "20130524T000000Z");
  r.set("x-amz-storage-class", "REDUCED_REDUNDANCY");
  r.set(http::bhttp::field::content_encoding, "aws-chunked");
  r.set("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  r.set("x-amz-decoded-content-length", "66560");
  r.set(http::bhttp::field::authorization,
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
        "x-amz-decoded-content-length;x-amz-storage-class,"
        "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  return r;
}

Credentials s3_example_credentials() {
  Credentials credentials;
  credentials.add("AKIAIOSFODNN7EXAMPLE",
                  {.secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", .session_token = {}});
  return credentials;
}

TEST(SigV4Test, AwsDocumentedChunkedUploadIsDecoded) {
  auto r = chunked_example();
  ASSERT_EQ(r[http::bhttp::field::content_length], "66824");
  verify(s3_example_credentials(), r, {"s3"}, at("20130524T000000Z"));
  EXPECT_EQ(r.body(), std::string(66560, 'a'));
  EXPECT_EQ(r.count(http::bhttp::field::content_encoding), 0u);
  EXPECT_EQ(r[http::bhttp::field::content_length], "66560");
}

TEST(SigV4Test, ChunkedUploadWithATamperedChunkFails) {
  auto r = chunked_example();
  r.body()[r.body().size() - 200] = 'b';  // inside the 1 KiB chunk
  try {
    verify(s3_example_credentials(), r, {"s3"}, at("20130524T000000Z"));
    FAIL() << "a tampered chunk passed";
  } catch (const AuthError& e) {
    EXPECT_EQ(e.failure, Failure::kBadSignature);
    EXPECT_NE(e.message.find("chunk 1"), std::string::npos) << e.message;
  }
}

TEST(SigV4Test, ChunkedUploadTruncatedOrReorderedFails) {
  auto truncated = chunked_example();
  truncated.body().resize(truncated.body().size() - 90);  // the final chunk gone
  EXPECT_THROW(verify(s3_example_credentials(), truncated, {"s3"}, at("20130524T000000Z")),
               AuthError);
  auto extra = chunked_example();
  extra.body() += "junk";
  EXPECT_THROW(verify(s3_example_credentials(), extra, {"s3"}, at("20130524T000000Z")), AuthError);
  auto wrong_length = chunked_example();
  wrong_length.set("x-amz-decoded-content-length", "66561");
  // The header is signed: changing it breaks the request's own signature first.
  EXPECT_THROW(verify(s3_example_credentials(), wrong_length, {"s3"}, at("20130524T000000Z")),
               AuthError);
}

TEST(SigV4Test, AmzDatesParseStrictly) {
  EXPECT_EQ(parse_amz_date("19700101T000000Z"), 0);
  EXPECT_EQ(parse_amz_date("20150830T123600Z"), 1440938160);
  EXPECT_EQ(format_amz_date(1440938160), "20150830T123600Z");
  for (const char* bad : {"20150830T123600", "2015083OT123600Z", "20150230T123600Z",
                          "20151330T000000Z", "20150830T243600Z", "", "20150830 123600Z"}) {
    EXPECT_FALSE(parse_amz_date(bad)) << bad;
  }
}

}  // namespace
}  // namespace lambdad::auth
