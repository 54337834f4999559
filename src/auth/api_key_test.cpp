#include "auth/api_key.h"

#include <gtest/gtest.h>

#include <set>

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

}  // namespace
}  // namespace vigil::auth
