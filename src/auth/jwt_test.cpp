#include "auth/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/base64url.h"
#include "auth/test_keys.h"

namespace vigil::auth {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const std::string kSecret = "0123456789abcdef0123456789abcdef-hs256";
const TimePoint kNow = TimePoint(std::chrono::duration_cast<Duration>(std::chrono::seconds(1798761600)));

Claims staff_claims() {
  Claims c;
  c.subject = "u-17";
  c.role = "investigator";
  c.sites = {"site-1", "site-2"};
  c.issuer = "https://idp.example";
  c.audience = {"vigil"};
  c.expires_at = kNow + 1h;
  c.not_before = kNow - 1min;
  c.token_id = "jti-1";
  return c;
}

std::string payload_of(const std::string& token) {
  const auto dot1 = token.find('.');
  return *base64url_decode(token.substr(dot1 + 1, token.rfind('.') - dot1 - 1));
}

class JwtTest : public ::testing::Test {
 protected:
  JwtVerifier verifier(JwtVerifierOptions options) { return JwtVerifier(std::move(options), clock_); }
  JwtVerifier hs256_verifier() { return verifier({.hs256_secret = kSecret}); }
  ManualClock clock_{kNow};
};

TEST_F(JwtTest, RoundTripsEveryAlgorithm) {
  struct Case {
    JwtSigner signer;
    JwtVerifierOptions options;
    std::size_t signature_bytes;
  };
  Case cases[] = {
      {JwtSigner::hs256(kSecret), {.hs256_secret = kSecret}, 32},
      {JwtSigner::from_private_key_pem(testing::rsa_2048().private_pem),
       {.public_key_pem = testing::rsa_2048().public_pem},
       256},
      {JwtSigner::from_private_key_pem(testing::ec_p256().private_pem),
       {.public_key_pem = testing::ec_p256().public_pem},
       64},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(to_string(c.signer.alg()));
    c.options.issuer = "https://idp.example";
    c.options.audience = "vigil";
    const std::string token = c.signer.sign(staff_claims());
    EXPECT_EQ(base64url_decode(token.substr(token.rfind('.') + 1))->size(), c.signature_bytes);
    const auto result = verifier(c.options).verify(token);
    ASSERT_TRUE(result.ok()) << to_string(result.error);
    EXPECT_EQ(*result.claims, staff_claims());
  }
  EXPECT_EQ(JwtSigner::from_private_key_pem(testing::rsa_2048().private_pem).alg(), JwtAlg::rs256);
  EXPECT_EQ(JwtSigner::from_private_key_pem(testing::ec_p256().private_pem).alg(), JwtAlg::es256);
}

TEST_F(JwtTest, TamperedTokensFailTheSignature) {
  const JwtSigner signers[] = {JwtSigner::hs256(kSecret),
                               JwtSigner::from_private_key_pem(testing::rsa_2048().private_pem),
                               JwtSigner::from_private_key_pem(testing::ec_p256().private_pem)};
  const JwtVerifier verifiers[] = {hs256_verifier(),
                                   verifier({.public_key_pem = testing::rsa_2048().public_pem}),
                                   verifier({.public_key_pem = testing::ec_p256().public_pem})};
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(to_string(signers[i].alg()));
    const std::string token = signers[i].sign(staff_claims());
    ASSERT_TRUE(verifiers[i].verify(token).ok());
    Claims escalated = staff_claims();
    escalated.role = "admin";
    const std::string other = signers[i].sign(escalated);
    // The escalated payload under the original header and signature.
    const std::string spliced = token.substr(0, token.find('.')) +
                                other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                                token.substr(token.rfind('.'));
    EXPECT_EQ(verifiers[i].verify(spliced).error, JwtError::bad_signature);
    // An empty signature, and one for different content.
    EXPECT_EQ(verifiers[i].verify(token.substr(0, token.rfind('.') + 1)).error, JwtError::bad_signature);
    Claims renamed = staff_claims();
    renamed.subject = "u-18";
    const std::string foreign = signers[i].sign(renamed);
    EXPECT_EQ(
        verifiers[i].verify(token.substr(0, token.rfind('.')) + foreign.substr(foreign.rfind('.'))).error,
        JwtError::bad_signature);
  }
}

TEST_F(JwtTest, AnotherKeysSignatureIsBad) {
  const auto other = testing::generate_ec("P-256");
  const std::string token = JwtSigner::from_private_key_pem(other.private_pem).sign(staff_claims());
  EXPECT_EQ(verifier({.public_key_pem = testing::ec_p256().public_pem}).verify(token).error,
            JwtError::bad_signature);
  const std::string hs = JwtSigner::hs256(kSecret + "x").sign(staff_claims());
  EXPECT_EQ(hs256_verifier().verify(hs).error, JwtError::bad_signature);
}

TEST_F(JwtTest, ExpiryHonoursLeewayToTheMillisecond) {
  Claims claims = staff_claims();
  claims.expires_at = kNow;
  const std::string token = JwtSigner::hs256(kSecret).sign(claims);
  auto v = hs256_verifier();  // leeway 30 s
  clock_.set(kNow + 30s - 1ms);
  EXPECT_TRUE(v.verify(token).ok());
  clock_.set(kNow + 30s);
  EXPECT_EQ(v.verify(token).error, JwtError::expired);
  auto strict = verifier({.hs256_secret = kSecret, .leeway = 0s});
  clock_.set(kNow - 1ms);
  EXPECT_TRUE(strict.verify(token).ok());
  clock_.set(kNow);
  EXPECT_EQ(strict.verify(token).error, JwtError::expired);
}

TEST_F(JwtTest, NotBeforeHonoursLeewayToTheMillisecond) {
  Claims claims = staff_claims();
  claims.not_before = kNow + 10min;
  const std::string token = JwtSigner::hs256(kSecret).sign(claims);
  auto v = hs256_verifier();
  clock_.set(kNow + 10min - 30s - 1ms);
  EXPECT_EQ(v.verify(token).error, JwtError::not_yet_valid);
  clock_.set(kNow + 10min - 30s);
  EXPECT_TRUE(v.verify(token).ok());
}

TEST_F(JwtTest, IssuerAndAudienceMustMatchWhenConfigured) {
  const auto signer = JwtSigner::hs256(kSecret);
  auto v = verifier({.hs256_secret = kSecret, .issuer = "https://idp.example", .audience = "vigil"});
  Claims c = staff_claims();
  c.issuer = "https://evil.example";
  EXPECT_EQ(v.verify(signer.sign(c)).error, JwtError::wrong_issuer);
  c.issuer.clear();
  EXPECT_EQ(v.verify(signer.sign(c)).error, JwtError::wrong_issuer);
  c = staff_claims();
  c.audience = {"billing"};
  EXPECT_EQ(v.verify(signer.sign(c)).error, JwtError::wrong_audience);
  c.audience.clear();
  EXPECT_EQ(v.verify(signer.sign(c)).error, JwtError::wrong_audience);
  c.audience = {"billing", "vigil"};
  EXPECT_TRUE(v.verify(signer.sign(c)).ok());
  // Unconfigured issuer/audience are not checked.
  EXPECT_TRUE(hs256_verifier().verify(signer.sign(c)).ok());
}

TEST_F(JwtTest, AcceptsAudienceAsASingleStringAndFractionalTimes) {
  const std::string payload =
      R"({"sub":"u-1","role":"cra","aud":"vigil","exp":1798761600.5,"nbf":1798761599})";
  const auto token = testing::make_hs256_token(R"({"alg":"HS256","typ":"JWT"})", payload, kSecret);
  const auto result = verifier({.hs256_secret = kSecret, .audience = "vigil"}).verify(token);
  ASSERT_TRUE(result.ok()) << to_string(result.error);
  EXPECT_EQ(result.claims->audience, std::vector<std::string>{"vigil"});
  EXPECT_EQ(result.claims->expires_at, kNow + 500ms);
  EXPECT_TRUE(result.claims->sites.empty());
}

TEST_F(JwtTest, RejectsAlgNoneAndUnknownAlgorithms) {
  const std::string payload = payload_of(JwtSigner::hs256(kSecret).sign(staff_claims()));
  auto v = hs256_verifier();
  for (const char* alg : {"none", "None", "NONE", "hs256", "HS512", "RS256", "ES256", "PS256"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"("})";
    EXPECT_EQ(v.verify(testing::make_token(header, payload, "")).error, JwtError::unsupported_algorithm)
        << alg;
    EXPECT_EQ(v.verify(testing::make_hs256_token(header, payload, kSecret)).error,
              JwtError::unsupported_algorithm)
        << alg;
  }
}

// The classic confusion: sign HS256 with the server's public key as the HMAC secret.
TEST_F(JwtTest, Hs256TokenIsNotVerifiedWithThePublicKeyAsSecret) {
  const auto& rsa = testing::rsa_2048();
  const std::string payload = payload_of(JwtSigner::hs256(kSecret).sign(staff_claims()));
  const std::string forged = testing::make_hs256_token(R"({"alg":"HS256"})", payload, rsa.public_pem);
  EXPECT_EQ(verifier({.public_key_pem = rsa.public_pem}).verify(forged).error,
            JwtError::unsupported_algorithm);
  // Keys are bound to their algorithm: an EC-only verifier does not take RS256, nor the reverse.
  const auto rs_token = JwtSigner::from_private_key_pem(rsa.private_pem).sign(staff_claims());
  EXPECT_EQ(verifier({.public_key_pem = testing::ec_p256().public_pem}).verify(rs_token).error,
            JwtError::unsupported_algorithm);
  const auto es_token = JwtSigner::from_private_key_pem(testing::ec_p256().private_pem).sign(staff_claims());
  EXPECT_EQ(verifier({.public_key_pem = rsa.public_pem}).verify(es_token).error,
            JwtError::unsupported_algorithm);
  // With both configured, each algorithm still uses only its own key.
  auto both = verifier({.hs256_secret = kSecret, .public_key_pem = rsa.public_pem});
  EXPECT_EQ(both.verify(forged).error, JwtError::bad_signature);
  EXPECT_TRUE(both.verify(rs_token).ok());
  EXPECT_TRUE(both.accepts(JwtAlg::hs256) && both.accepts(JwtAlg::rs256) && !both.accepts(JwtAlg::es256));
}

TEST_F(JwtTest, ConstructionFailsClearlyOnBadKeys) {
  EXPECT_THAT([&] { verifier({}); }, ThrowsMessage<std::invalid_argument>(HasSubstr("no key configured")));
  EXPECT_THAT([&] { verifier({.hs256_secret = "short"}); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("at least 32 bytes")));
  EXPECT_THAT(
      [&] { verifier({.public_key_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}); },
      ThrowsMessage<std::invalid_argument>(HasSubstr("public_key_pem: not a PEM public key")));
  EXPECT_THAT([&] { verifier({.public_key_pem = testing::rsa_2048().private_pem}); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("public_key_pem")));
  EXPECT_THAT([&] { verifier({.public_key_pem = testing::generate_rsa(1024).public_pem}); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("at least 2048")));
  EXPECT_THAT([&] { verifier({.public_key_pem = testing::generate_ec("P-384").public_pem}); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("P-256")));
  EXPECT_THROW(JwtSigner::hs256("short"), std::invalid_argument);
  EXPECT_THROW(JwtSigner::from_private_key_pem(testing::ec_p256().public_pem), std::invalid_argument);
  EXPECT_THROW(JwtSigner::from_private_key_pem("garbage"), std::invalid_argument);
}

TEST(JwtNames, RoundTripAndCover) {
  for (const JwtAlg alg : {JwtAlg::hs256, JwtAlg::rs256, JwtAlg::es256})
    EXPECT_EQ(parse_jwt_alg(to_string(alg)), alg);
  EXPECT_EQ(parse_jwt_alg("none"), std::nullopt);
  EXPECT_EQ(to_string(JwtError::bad_signature), "bad_signature");
  EXPECT_EQ(to_string(JwtError::too_large), "too_large");
}

}  // namespace
}  // namespace vigil::auth
