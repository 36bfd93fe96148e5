// JWT verification as an HTTP API's JWT authorizer does it, with keys made here by OpenSSL: RSA
// (RS256/384/512) and HMAC (HS256) keys from a JWKS, every claim check, and the ugly tokens
// (alg none, algorithm confusion, bad base64, bad JSON, wrong kid).

#include "lambdad/gateway/jwt.hpp"

#include <gtest/gtest.h>

#include "unit/gateway/test_tokens.hpp"

namespace lambdad::gateway {
namespace {

using json = nlohmann::json;
using testing::b64url;
using testing::key_param;
using testing::rsa_jwk;

constexpr int64_t kNow = 1'700'000'000;
const char* const kIssuer = "https://issuer.example.com";

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = EVP_RSA_gen(2048);
    other_rsa_ = EVP_RSA_gen(2048);
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(other_rsa_);
  }

  static JwkSet keys(const json& jwks) {
    std::string why;
    auto set = parse_jwks(jwks.dump(), why);
    EXPECT_TRUE(set) << why;
    return set ? *set : JwkSet{};
  }

  JwkSet standard_keys() const {
    return keys({{"keys",
                  {rsa_jwk(rsa_, "rsa1"),
                   {{"kty", "oct"}, {"kid", "hmac1"}, {"k", b64url(secret_)}, {"alg", "HS256"}}}}});
  }

  static std::string sign(const json& header, const json& claims, EVP_PKEY* key,
                          const std::string& secret = "") {
    return testing::sign_jwt(header, claims, key, secret);
  }

  json claims() const {
    return {{"iss", kIssuer},   {"aud", "client-a"}, {"sub", "user-1"},
            {"exp", kNow + 60}, {"iat", kNow - 10},  {"scope", "read write"}};
  }

  JwtRules rules(std::vector<std::string> scopes = {}) const {
    return JwtRules{kIssuer, {"client-a", "client-b"}, std::move(scopes), kNow};
  }

  JwtError check(const std::string& token, const JwtRules& r, const JwkSet& set) const {
    auto jwt = decode_jwt(token);
    if (!jwt) return JwtError::kMalformed;
    return verify_jwt(*jwt, set, r);
  }
  JwtError check(const std::string& token, const JwtRules& r) const {
    return check(token, r, standard_keys());
  }

  std::string rs(const json& c, const std::string& alg = "RS256") const {
    return sign({{"alg", alg}, {"kid", "rsa1"}, {"typ", "JWT"}}, c, rsa_);
  }

  static EVP_PKEY* rsa_;
  static EVP_PKEY* other_rsa_;
  std::string secret_ = "a-shared-secret-of-thirty-two-by";
};

EVP_PKEY* JwtTest::rsa_ = nullptr;
EVP_PKEY* JwtTest::other_rsa_ = nullptr;

TEST_F(JwtTest, RsaAlgorithmsVerify) {
  for (const char* alg : {"RS256", "RS384", "RS512"}) {
    EXPECT_EQ(check(rs(claims(), alg), rules()), JwtError::kNone) << alg;
  }
}

TEST_F(JwtTest, HmacKeyFromOctJwk) {
  const auto token = sign({{"alg", "HS256"}, {"kid", "hmac1"}}, claims(), nullptr, secret_);
  EXPECT_EQ(check(token, rules()), JwtError::kNone);
  const auto wrong = sign({{"alg", "HS256"}, {"kid", "hmac1"}}, claims(), nullptr, "other-secret");
  EXPECT_EQ(check(wrong, rules()), JwtError::kSignature);
  // The oct key pins HS256: an HS512 token with its kid finds no key.
  const auto pinned = sign({{"alg", "HS512"}, {"kid", "hmac1"}}, claims(), nullptr, secret_);
  EXPECT_EQ(check(pinned, rules()), JwtError::kUnknownKey);
}

TEST_F(JwtTest, BadSignatures) {
  // Signed by another key under the same kid.
  EXPECT_EQ(check(sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims(), other_rsa_), rules()),
            JwtError::kSignature);
  // Claims changed after signing.
  std::string token = rs(claims());
  json changed = claims();
  changed["sub"] = "admin";
  const size_t first = token.find('.'), second = token.rfind('.');
  token = token.substr(0, first + 1) + b64url(changed.dump()) + token.substr(second);
  EXPECT_EQ(check(token, rules()), JwtError::kSignature);
  // The signature cut short.
  std::string cut = rs(claims());
  cut.resize(cut.size() - 8);
  EXPECT_EQ(check(cut, rules()), JwtError::kSignature);
}

TEST_F(JwtTest, AlgorithmConfusionAndNone) {
  // HS256 "signed" with the RSA public key's bytes, under the RSA key's kid: no oct key has it.
  const std::string public_n = key_param(rsa_, OSSL_PKEY_PARAM_RSA_N);
  EXPECT_EQ(check(sign({{"alg", "HS256"}, {"kid", "rsa1"}}, claims(), nullptr, public_n), rules()),
            JwtError::kUnknownKey);
  // RS256 under the HMAC key's kid.
  EXPECT_EQ(check(sign({{"alg", "RS256"}, {"kid", "hmac1"}}, claims(), rsa_), rules()),
            JwtError::kUnknownKey);
  // alg none, with and without a signature.
  const std::string none =
      b64url(json{{"alg", "none"}, {"kid", "rsa1"}}.dump()) + "." + b64url(claims().dump()) + ".";
  EXPECT_EQ(check(none, rules()), JwtError::kAlgorithm);
  EXPECT_EQ(check(none + "c2ln", rules()), JwtError::kAlgorithm);
  EXPECT_EQ(check(rs(claims(), "PS256"), rules()), JwtError::kAlgorithm);
  EXPECT_FALSE(supported_alg("ES256"));
}

TEST_F(JwtTest, UnknownKid) {
  EXPECT_EQ(check(sign({{"alg", "RS256"}, {"kid", "nope"}}, claims(), rsa_), rules()),
            JwtError::kUnknownKey);
  EXPECT_EQ(check(sign({{"alg", "RS256"}}, claims(), rsa_), rules()), JwtError::kUnknownKey);
}

TEST_F(JwtTest, MalformedTokens) {
  const std::string good = rs(claims());
  for (const std::string& token :
       {std::string(""), std::string("abc"), std::string("a.b"), good + ".extra",
        std::string("!!!.") + b64url(claims().dump()) + ".c2ln",           // bad base64
        b64url("{not json") + "." + b64url(claims().dump()) + ".c2ln",     // bad JSON header
        b64url(R"({"alg":"RS256"})") + "." + b64url("[1,2]") + ".c2ln",    // claims not an object
        b64url(R"({"alg":7})") + "." + b64url(claims().dump()) + ".c2ln",  // alg not a string
        b64url(R"({"alg":"RS256"})") + "." + b64url(claims().dump()) + ".c2l=",  // padding
        b64url(R"({"alg":"RS256"})") + "." + b64url(claims().dump()) + ".c2 ln"}) {
    EXPECT_FALSE(decode_jwt(token)) << token;
  }
}

TEST_F(JwtTest, IssuerAudienceAndClientId) {
  json c = claims();
  c["iss"] = "https://elsewhere.example.com";
  EXPECT_EQ(check(rs(c), rules()), JwtError::kIssuer);
  c = claims();
  c.erase("iss");
  EXPECT_EQ(check(rs(c), rules()), JwtError::kIssuer);
  c = claims();
  c["aud"] = "client-z";
  EXPECT_EQ(check(rs(c), rules()), JwtError::kAudience);
  c["aud"] = json::array({"client-z", "client-b"});
  EXPECT_EQ(check(rs(c), rules()), JwtError::kNone);
  // client_id counts only without aud.
  c.erase("aud");
  c["client_id"] = "client-a";
  EXPECT_EQ(check(rs(c), rules()), JwtError::kNone);
  c["aud"] = "client-z";
  EXPECT_EQ(check(rs(c), rules()), JwtError::kAudience);
  c.erase("aud");
  c.erase("client_id");
  EXPECT_EQ(check(rs(c), rules()), JwtError::kAudience);
}

TEST_F(JwtTest, TimesWithoutSkew) {
  json c = claims();
  c["exp"] = kNow;  // not after now
  EXPECT_EQ(check(rs(c), rules()), JwtError::kExpired);
  c["exp"] = kNow + 1;
  EXPECT_EQ(check(rs(c), rules()), JwtError::kNone);
  c.erase("exp");
  EXPECT_EQ(check(rs(c), rules()), JwtError::kNoExpiry);
  c["exp"] = "tomorrow";
  EXPECT_EQ(check(rs(c), rules()), JwtError::kNoExpiry);
  c = claims();
  c["nbf"] = kNow + 1;
  EXPECT_EQ(check(rs(c), rules()), JwtError::kNotYetValid);
  c["nbf"] = kNow;
  EXPECT_EQ(check(rs(c), rules()), JwtError::kNone);
  c["iat"] = kNow + 5;
  EXPECT_EQ(check(rs(c), rules()), JwtError::kIssuedLater);
}

TEST_F(JwtTest, Scopes) {
  EXPECT_EQ(check(rs(claims()), rules({"admin", "write"})), JwtError::kNone);
  EXPECT_EQ(check(rs(claims()), rules({"admin"})), JwtError::kScope);
  json c = claims();
  c.erase("scope");
  c["scp"] = json::array({"admin"});
  EXPECT_EQ(check(rs(c), rules({"admin"})), JwtError::kNone);
  EXPECT_EQ(token_scopes(c), std::vector<std::string>{"admin"});
  EXPECT_EQ(token_scopes(claims()), (std::vector<std::string>{"read", "write"}));
  c.erase("scp");
  EXPECT_EQ(check(rs(c), rules({"read"})), JwtError::kScope);
}

TEST_F(JwtTest, JwksKeepsUsableKeysOnly) {
  std::vector<std::string> skipped;
  std::string why;
  auto set = parse_jwks(json{{"keys",
                              {rsa_jwk(rsa_, "good"),
                               {{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}},
                               {{"kty", "RSA"}, {"kid", "enc"}, {"use", "enc"}},
                               {{"kty", "RSA"}, {"kid", "broken"}, {"n", "%%%"}, {"e", "AQAB"}},
                               {{"kty", "oct"}, {"kid", "empty"}},
                               // Members of the wrong type (fuzz_jwt): skipped, not thrown on.
                               {{"kty", "RSA"}, {"kid", "r1"}, {"use", 8888}},
                               {{"kty", 5}, {"kid", {{"not", "a string"}}}},
                               "not an object"}}}
                            .dump(),
                        why, &skipped);
  ASSERT_TRUE(set) << why;
  ASSERT_EQ(set->keys.size(), 1u);
  EXPECT_EQ(set->keys[0].kid, "good");
  EXPECT_EQ(skipped.size(), 7u);
  EXPECT_FALSE(parse_jwks("{}", why));
  EXPECT_FALSE(parse_jwks("not json", why));
  // A 1024-bit RSA key is refused.
  EVP_PKEY* small = EVP_RSA_gen(1024);
  skipped.clear();
  set = parse_jwks(json{{"keys", {rsa_jwk(small, "small")}}}.dump(), why, &skipped);
  EVP_PKEY_free(small);
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->keys.empty());
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("2048"), std::string::npos);
}

TEST_F(JwtTest, EventClaimsAreStrings) {
  const json claims = {{"sub", "u"},          {"exp", 1700000060},    {"admin", true},
                       {"ratio", 1.5},        {"groups", {"a", "b"}}, {"gone", nullptr},
                       {"nested", {{"k", 1}}}};
  EXPECT_EQ(event_claims(claims), (json{{"sub", "u"},
                                        {"exp", "1700000060"},
                                        {"admin", "true"},
                                        {"ratio", "1.5"},
                                        {"groups", "[a b]"},
                                        {"nested", R"({"k":1})"}}));
}

TEST_F(JwtTest, BearerToken) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer  abc "), "abc");
  EXPECT_EQ(bearer_token("abc"), "abc");
  EXPECT_EQ(bearer_token("Bearer "), "");
}

}  // namespace
}  // namespace lambdad::gateway
