// Token shapes and claim types: what the verifier rejects before or after the signature, and how.
#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "auth/test_keys.h"

namespace vigil::auth {
namespace {

const std::string kParseSecret = "0123456789abcdef0123456789abcdef-parse";

class JwtParseTest : public ::testing::Test {
 protected:
  JwtVerifier verifier(JwtVerifierOptions options) { return JwtVerifier(std::move(options), clock_); }
  JwtVerifier hs256_verifier() { return verifier({.hs256_secret = kParseSecret}); }
  // Before every exp used below.
  ManualClock clock_{TimePoint(std::chrono::seconds(1798761600))};
};

TEST_F(JwtParseTest, ClassifiesBadClaims) {
  auto v = hs256_verifier();
  auto check = [&](std::string_view payload) {
    return v.verify(testing::make_hs256_token(R"({"alg":"HS256"})", payload, kParseSecret)).error;
  };
  EXPECT_EQ(check(R"({"role":"cra","exp":1798765200})"), JwtError::missing_claim);
  EXPECT_EQ(check(R"({"sub":"u","exp":1798765200})"), JwtError::missing_claim);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra"})"), JwtError::missing_claim);
  EXPECT_EQ(check(R"({"sub":"","role":"cra","exp":1798765200})"), JwtError::missing_claim);
  EXPECT_EQ(check(R"({"sub":7,"role":"cra","exp":1798765200})"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":"tomorrow"})"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":-5})"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":1e300})"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":1798765200,"nbf":true})"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":1798765200,"sites":"site-1"})"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":1798765200,"sites":["a",1]})"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":1798765200,"aud":[null]})"), JwtError::malformed);
  EXPECT_EQ(check(R"(["sub","role","exp"])"), JwtError::malformed);
  EXPECT_EQ(check("not json"), JwtError::malformed);
  EXPECT_EQ(check(R"({"sub":"u","role":"cra","exp":1798765200,"patient":["P-1"]})"), JwtError::malformed);
  const auto ok = v.verify(testing::make_hs256_token(
      R"({"alg":"HS256"})", R"({"sub":"app-1","role":"patient","exp":1798765200,"patient":"P-1"})",
      kParseSecret));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.claims->patient, "P-1");
}

TEST_F(JwtParseTest, RejectsMalformedHeadersAndShapes) {
  auto v = hs256_verifier();
  const std::string payload = R"({"sub":"u","role":"cra","exp":1798765200})";
  EXPECT_EQ(v.verify(testing::make_hs256_token(R"({"typ":"JWT"})", payload, kParseSecret)).error,
            JwtError::malformed);
  EXPECT_EQ(v.verify(testing::make_hs256_token(R"({"alg":256})", payload, kParseSecret)).error,
            JwtError::malformed);
  EXPECT_EQ(
      v.verify(testing::make_hs256_token(R"({"alg":"HS256","crit":["exp"]})", payload, kParseSecret)).error,
      JwtError::malformed);
  const std::string good = testing::make_hs256_token(R"({"alg":"HS256"})", payload, kParseSecret);
  ASSERT_TRUE(v.verify(good).ok());
  EXPECT_EQ(v.verify("").error, JwtError::malformed);
  EXPECT_EQ(v.verify("a.b").error, JwtError::malformed);
  EXPECT_EQ(v.verify(good + ".").error, JwtError::malformed);
  EXPECT_EQ(v.verify(good + "=").error, JwtError::malformed);
  EXPECT_EQ(v.verify(" " + good).error, JwtError::malformed);
}

TEST_F(JwtParseTest, RejectsOversizedTokensBeforeParsing) {
  Claims c;
  c.subject = "u-1";
  c.role = "cra";
  c.expires_at = clock_.now() + std::chrono::hours(1);
  c.sites.assign(600, "site-with-a-long-identifier");
  const std::string token = JwtSigner::hs256(kParseSecret).sign(c);
  ASSERT_GT(token.size(), 8192u);
  EXPECT_EQ(hs256_verifier().verify(token).error, JwtError::too_large);
  EXPECT_TRUE(verifier({.hs256_secret = kParseSecret, .max_token_bytes = token.size()}).verify(token).ok());
  EXPECT_EQ(
      verifier({.hs256_secret = kParseSecret, .max_token_bytes = 16}).verify(std::string(17, 'a')).error,
      JwtError::too_large);
}

}  // namespace
}  // namespace vigil::auth
