// Robustness: random bytes, truncations and single-character mutations of valid tokens must never
// crash (run under -DVIGIL_SANITIZE=address for memory errors) and must never verify.
#include <gtest/gtest.h>

#include <random>

#include "auth/jwt.h"
#include "auth/test_keys.h"

namespace vigil::auth {
namespace {

const std::string kFuzzSecret = "fuzz-secret-fuzz-secret-fuzz-secret!";

class JwtFuzzTest : public ::testing::TestWithParam<JwtAlg> {
 protected:
  void SetUp() override {
    const auto& rsa = testing::rsa_2048();
    const auto& ec = testing::ec_p256();
    switch (GetParam()) {
      case JwtAlg::hs256:
        signer_.emplace(JwtSigner::hs256(kFuzzSecret));
        break;
      case JwtAlg::rs256:
        signer_.emplace(JwtSigner::from_private_key_pem(rsa.private_pem));
        break;
      case JwtAlg::es256:
        signer_.emplace(JwtSigner::from_private_key_pem(ec.private_pem));
        break;
    }
    const std::string& pem = GetParam() == JwtAlg::rs256 ? rsa.public_pem : ec.public_pem;
    verifier_.emplace(JwtVerifierOptions{.hs256_secret = kFuzzSecret, .public_key_pem = pem}, clock_);
    Claims claims;
    claims.subject = "u-1";
    claims.role = "cra";
    claims.sites = {"site-1"};
    claims.expires_at = clock_.now() + std::chrono::hours(1);
    token_ = signer_->sign(claims);
    ASSERT_TRUE(verifier_->verify(token_).ok());
  }

  ManualClock clock_{TimePoint(std::chrono::hours(500000))};
  std::optional<JwtSigner> signer_;
  std::optional<JwtVerifier> verifier_;
  std::string token_;
  std::mt19937 rng_{1234};
};

TEST_P(JwtFuzzTest, RandomBytesNeverVerify) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 400);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int i = 0; i < 2000; ++i) {
    std::string text(length(rng_), '\0');
    // Half pure noise, half plausible-looking base64url with dots.
    for (char& c : text) c = i % 2 ? static_cast<char>(byte(rng_)) : alphabet[pick(rng_)];
    EXPECT_FALSE(verifier_->verify(text).ok()) << text;
  }
}

TEST_P(JwtFuzzTest, TruncationsNeverVerify) {
  for (std::size_t len = 0; len < token_.size(); ++len) {
    EXPECT_FALSE(verifier_->verify(std::string_view(token_).substr(0, len)).ok()) << len;
  }
}

TEST_P(JwtFuzzTest, SingleCharacterMutationsNeverVerify) {
  std::uniform_int_distribution<std::size_t> position(0, token_.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int i = 0; i < 1500; ++i) {
    std::string mutated = token_;
    const std::size_t at = position(rng_);
    // Mostly characters that keep the token decodable, so the signature check is what rejects it.
    const char replacement = i % 4 ? alphabet[pick(rng_)] : static_cast<char>(byte(rng_));
    if (mutated[at] == replacement) continue;
    mutated[at] = replacement;
    EXPECT_FALSE(verifier_->verify(mutated).ok()) << at;
  }
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JwtFuzzTest,
                         ::testing::Values(JwtAlg::hs256, JwtAlg::rs256, JwtAlg::es256),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace vigil::auth
