#include "store/field_cipher.h"

#include <gtest/gtest.h>

namespace vigil::store {
namespace {

const std::string kKey(32, '\x11');

TEST(FieldCipher, RoundTripsWithARandomNoncePerValue) {
  const FieldCipher cipher(kKey);
  const std::string plain = "3201199001011230001X Zoë";
  const auto a = cipher.seal(plain, "patient/P1/national_id");
  const auto b = cipher.seal(plain, "patient/P1/national_id");
  EXPECT_EQ(a.size(), FieldCipher::kNonceSize + plain.size() + FieldCipher::kTagSize);
  EXPECT_NE(a, b) << "same plaintext, same ciphertext: the nonce is not random";
  EXPECT_NE(a.substr(0, 12), b.substr(0, 12));
  EXPECT_EQ(a.find("3201199001"), std::string::npos);
  EXPECT_EQ(cipher.open(a, "patient/P1/national_id"), plain);
  EXPECT_EQ(cipher.open(b, "patient/P1/national_id"), plain);
  EXPECT_EQ(cipher.open(cipher.seal("", "ad"), "ad"), "");
}

TEST(FieldCipher, TamperingIsDetected) {
  const FieldCipher cipher(kKey);
  const auto sealed = cipher.seal("Jane Doe", "ad");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(cipher.open(bad, "ad")) << "byte " << i;
  }
  EXPECT_FALSE(cipher.open(sealed.substr(0, sealed.size() - 1), "ad"));
  EXPECT_FALSE(cipher.open(sealed.substr(0, 20), "ad"));
  EXPECT_FALSE(cipher.open("", "ad"));
  EXPECT_FALSE(cipher.open(sealed, "patient/P2/full_name")) << "moved to another row";
}

TEST(FieldCipher, WrongKeyFails) {
  const auto sealed = FieldCipher(kKey).seal("Jane Doe", "ad");
  EXPECT_FALSE(FieldCipher(std::string(32, '\x12')).open(sealed, "ad"));
  EXPECT_EQ(FieldCipher::from_hex(std::string(64, '1')).open(sealed, "ad"), "Jane Doe");
}

TEST(FieldCipher, KeysMustBe32Bytes) {
  EXPECT_THROW(FieldCipher(std::string(31, 'k')), std::invalid_argument);
  EXPECT_THROW(FieldCipher(std::string(33, 'k')), std::invalid_argument);
  EXPECT_THROW(FieldCipher::from_hex(std::string(63, 'a')), std::invalid_argument);
  EXPECT_THROW(FieldCipher::from_hex(std::string(63, 'a') + "g"), std::invalid_argument);
  EXPECT_NO_THROW(FieldCipher::from_hex("00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"));
}

TEST(Mask, KeepsFirstAndLastFourCharacters) {
  EXPECT_EQ(mask("3201199001011230001X"), "3201************001X");
  EXPECT_EQ(mask("3201ABCD001X"), "3201****001X");
  EXPECT_EQ(mask("ABCDEFGHIJK"), "***********") << "under 12 characters everything is hidden";
  EXPECT_EQ(mask(""), "");
  EXPECT_EQ(mask("Zoë Łódź-Kowalska"), "Zoë *********lska") << "counts characters, not bytes";
}

}  // namespace
}  // namespace vigil::store
