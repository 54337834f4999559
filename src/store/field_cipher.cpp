#include "store/field_cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace vigil::store {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void check(int ok) {
  if (ok != 1) throw std::runtime_error("AES-256-GCM failed in OpenSSL");
}

}  // namespace

FieldCipher::FieldCipher(std::string_view key) {
  if (key.size() != kKeySize) throw std::invalid_argument("the field encryption key must be 32 bytes");
  std::copy(key.begin(), key.end(), key_.begin());
}

FieldCipher FieldCipher::from_hex(std::string_view hex) {
  if (hex.size() != kKeySize * 2)
    throw std::invalid_argument("the field encryption key must be 64 hex digits");
  std::string raw(kKeySize, '\0');
  for (std::size_t i = 0; i < kKeySize; ++i) {
    const int hi = hex_digit(hex[2 * i]);
    const int lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw std::invalid_argument("the field encryption key must be 64 hex digits");
    raw[i] = static_cast<char>(hi * 16 + lo);
  }
  FieldCipher cipher(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return cipher;
}

FieldCipher::~FieldCipher() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

std::string FieldCipher::seal(std::string_view plaintext, std::string_view associated_data) const {
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  check(RAND_bytes(nonce, static_cast<int>(kNonceSize)));
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) check(0);
  check(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce));
  int len = 0;
  check(EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                          static_cast<int>(associated_data.size())));
  auto* body = nonce + kNonceSize;
  check(EVP_EncryptUpdate(ctx.get(), body, &len, bytes(plaintext), static_cast<int>(plaintext.size())));
  int tail = 0;
  check(EVP_EncryptFinal_ex(ctx.get(), body + len, &tail));
  check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                            body + plaintext.size()));
  return out;
}

std::optional<std::string> FieldCipher::open(std::string_view sealed,
                                             std::string_view associated_data) const {
  if (sealed.size() < kNonceSize + kTagSize) return std::nullopt;
  const std::size_t body_size = sealed.size() - kNonceSize - kTagSize;
  const auto* nonce = bytes(sealed);
  const auto* body = nonce + kNonceSize;
  // OpenSSL's tag setter takes a non-const pointer but only reads it.
  std::array<unsigned char, kTagSize> tag{};
  std::copy(body + body_size, body + body_size + kTagSize, tag.begin());
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) check(0);
  check(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce));
  int len = 0;
  check(EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                          static_cast<int>(associated_data.size())));
  std::string plain(body_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  check(EVP_DecryptUpdate(ctx.get(), out, &len, body, static_cast<int>(body_size)));
  check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag.data()));
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out + len, &tail) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

std::string mask(std::string_view value) {
  // Split into UTF-8 code points so that a multi-byte character is kept or hidden whole.
  std::vector<std::string_view> chars;
  for (std::size_t i = 0; i < value.size();) {
    std::size_t n = 1;
    while (i + n < value.size() && (static_cast<unsigned char>(value[i + n]) & 0xC0) == 0x80) ++n;
    chars.push_back(value.substr(i, n));
    i += n;
  }
  constexpr std::size_t kKeep = 4;
  const bool keep_ends = chars.size() >= 3 * kKeep;
  std::string out;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const bool keep = keep_ends && (i < kKeep || i >= chars.size() - kKeep);
    if (keep) {
      out += chars[i];
    } else {
      out += '*';
    }
  }
  return out;
}

}  // namespace vigil::store
