#include "auth/api_key.h"

#include "auth/base64url.h"
#include "auth/crypto.h"

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
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string digest = crypto::sha256(key);
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const char c : digest) {
    const auto b = static_cast<unsigned char>(c);
    hex += kHex[b >> 4];
    hex += kHex[b & 0xf];
  }
  return hex;
}

bool looks_like_api_key(std::string_view text) {
  if (text.size() != kPrefix.size() + kEncodedBytes || !text.starts_with(kPrefix)) return false;
  const auto bytes = base64url_decode(text.substr(kPrefix.size()));
  return bytes && bytes->size() == kKeyBytes;
}

}  // namespace vigil::auth
