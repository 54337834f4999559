#include "auth/crypto.h"

#include <gtest/gtest.h>

#include <thread>

#include "auth/test_keys.h"
#include "common/hex.h"

namespace vigil::auth::crypto {
namespace {

TEST(Crypto, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2.
  const std::string mac = hmac_sha256("Jefe", "what do ya want for nothing?");
  static constexpr unsigned char kExpected[] = {
      0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
      0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  EXPECT_EQ(mac, std::string(reinterpret_cast<const char*>(kExpected), sizeof kExpected));
}

std::string hex(std::string_view bytes) {
  return to_hex({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

TEST(Crypto, Sha256MatchesFips180VectorsOnEveryCallAndThread) {
  // FIPS 180-2 examples, each hashed several times: the thread's context is reused between calls.
  const auto check = [] {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      const std::string long_input = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
      EXPECT_EQ(hex(sha256(long_input)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
      const Sha256Digest d = sha256_digest("abc");
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.data()), d.size()), sha256("abc"));
    }
  };
  check();
  std::thread other(check);
  other.join();
}

TEST(Crypto, ConstantTimeEquality) {
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "abcd"));
  EXPECT_TRUE(equal_constant_time("", ""));
}

TEST(Crypto, EcdsaSignatureEncodingsRoundTrip) {
  const auto key = read_private_key_pem(testing::ec_p256().private_pem, "test");
  const auto pub = read_public_key_pem(testing::ec_p256().public_pem, "test");
  for (int i = 0; i < 20; ++i) {
    const std::string data = "message " + std::to_string(i);
    const std::string der = sign_sha256(*key, data);
    const std::string raw = ecdsa_p256_der_to_raw(der);
    ASSERT_EQ(raw.size(), 64u);
    const std::string back = ecdsa_p256_raw_to_der(raw);
    EXPECT_EQ(back, der);
    EXPECT_TRUE(verify_sha256(*pub, data, back));
    EXPECT_FALSE(verify_sha256(*pub, data + "!", back));
  }
  EXPECT_EQ(ecdsa_p256_raw_to_der(std::string(63, 'x')), "");
  EXPECT_EQ(ecdsa_p256_raw_to_der(std::string(65, 'x')), "");
  EXPECT_EQ(ecdsa_p256_der_to_raw("not der"), "");
  const std::string der = sign_sha256(*key, "x");
  EXPECT_EQ(ecdsa_p256_der_to_raw(der + "trailing"), "");
}

TEST(Crypto, KeyTypes) {
  EXPECT_EQ(key_type(*read_public_key_pem(testing::rsa_2048().public_pem, "t")), KeyType::rsa);
  EXPECT_EQ(key_type(*read_public_key_pem(testing::ec_p256().public_pem, "t")), KeyType::ec_p256);
}

}  // namespace
}  // namespace vigil::auth::crypto
