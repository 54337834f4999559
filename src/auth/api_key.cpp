#include "auth/api_key.h"

#include "auth/base64url.h"
#include "auth/crypto.h"
#include "common/hex.h"

namespace vigil::auth {
namespace {

constexpr std::string_view kPrefix = "vk_";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kEncodedBytes = (kKeyBytes * 4 + 2) / 3;  // base64url, no padding: 43

}  // namespace

std::string generate_api_key() {
  return std::string(kPrefix) + base64url_encode(crypto::random_bytes(kKeyBytes));
}

std::string hash_api_key(std::string_view key) {
  return to_hex(crypto::sha256_digest(key));  // the one allocation of a request's key check
}

bool looks_like_api_key(std::string_view text) {
  if (text.size() != kPrefix.size() + kEncodedBytes || !text.starts_with(kPrefix)) return false;
  // What base64url_decode would accept as 32 bytes, checked in place (this runs for every device
  // request, and decoding allocates): 43 characters of the alphabet, the last one carrying 4 bits
  // of the key and 2 zero bits (43 x 6 = 258 bits).
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  const std::string_view encoded = text.substr(kPrefix.size());
  for (const char c : encoded) {
    if (value(c) < 0) return false;
  }
  return (value(encoded.back()) & 0x3) == 0;
}

}  // namespace vigil::auth
