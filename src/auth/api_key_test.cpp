#include "auth/api_key.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "auth/base64url.h"

namespace vigil::auth {
namespace {

TEST(ApiKey, GeneratesDistinctWellFormedKeys) {
  std::set<std::string> keys;
  for (int i = 0; i < 200; ++i) {
    const std::string key = generate_api_key();
    EXPECT_EQ(key.size(), 46u);
    EXPECT_EQ(key.substr(0, 3), "vk_");
    EXPECT_TRUE(looks_like_api_key(key)) << key;
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), 200u);
}

TEST(ApiKey, HashIsLowercaseHexSha256) {
  // SHA-256("abc") from FIPS 180-2.
  EXPECT_EQ(hash_api_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string key = generate_api_key();
  EXPECT_EQ(hash_api_key(key), hash_api_key(key));
  EXPECT_NE(hash_api_key(key), hash_api_key(generate_api_key()));
  EXPECT_EQ(hash_api_key(key).find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(ApiKey, ShapeCheckRejectsLookalikes) {
  const std::string key = generate_api_key();
  EXPECT_FALSE(looks_like_api_key(""));
  EXPECT_FALSE(looks_like_api_key("vk_"));
  EXPECT_FALSE(looks_like_api_key(key.substr(0, 45)));
  EXPECT_FALSE(looks_like_api_key(key + "A"));
  EXPECT_FALSE(looks_like_api_key("xk_" + key.substr(3)));
  EXPECT_FALSE(looks_like_api_key(key.substr(0, 10) + "+" + key.substr(11)));
  EXPECT_FALSE(looks_like_api_key(key.substr(0, 10) + "=" + key.substr(11)));
  // 43 characters carry 258 bits; the last character's 2 spare bits must be zero.
  EXPECT_TRUE(looks_like_api_key("vk_" + std::string(42, 'A') + "A"));
  EXPECT_FALSE(looks_like_api_key("vk_" + std::string(42, 'A') + "B"));
}

// The shape check (done in place, without decoding) accepts exactly what decodes to 32 bytes: every
// character of and around the alphabet, in the first, a middle and the last position.
TEST(ApiKey, ShapeCheckAgreesWithTheDecoder) {
  const std::string key = generate_api_key();
  for (int c = 1; c < 256; ++c) {
    for (const std::size_t at : {std::size_t{3}, std::size_t{20}, key.size() - 1}) {
      std::string candidate = key;
      candidate[at] = static_cast<char>(c);
      const auto decoded = base64url_decode(std::string_view(candidate).substr(3));
      EXPECT_EQ(looks_like_api_key(candidate), decoded && decoded->size() == 32)
          << "character " << c << " at " << at;
    }
  }
}

}  // namespace
}  // namespace vigil::auth
