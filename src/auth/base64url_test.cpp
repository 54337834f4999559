#include "auth/base64url.h"

#include <gtest/gtest.h>

#include <random>

namespace vigil::auth {
namespace {

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff\xbf", 3)), "-_-_");  // the url-safe characters
}

TEST(Base64Url, DecodesWhatItEncodes) {
  std::mt19937 rng(42);
  for (std::size_t len = 0; len <= 64; ++len) {
    std::string bytes(len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    const auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded) << len;
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(base64url_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64url_decode(""), "");
}

TEST(Base64Url, RejectsPaddingInvalidCharactersAndImpossibleLengths) {
  for (const char* bad : {"Zg==", "Zm8=", "Zm9v=", "Z", "Zm9vY", "Zm+v", "Zm/v", "Zm 9v", "Zm9v\n", "Zm.v"}) {
    EXPECT_EQ(base64url_decode(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(base64url_decode(std::string("Zm\0v", 4)), std::nullopt);
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  // "Zg" is "f"; "Zh".."Zv" carry the same byte with non-zero unused bits.
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9"), std::nullopt);  // "Zm8" is "fo"
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
}

}  // namespace
}  // namespace vigil::auth
