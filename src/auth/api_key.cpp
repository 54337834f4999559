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
  const auto bytes = base64url_decode(text.substr(kPrefix.size()));
  return bytes && bytes->size() == kKeyBytes;
}

}  // namespace vigil::auth
