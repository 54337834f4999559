#pragma once
// Encryption at rest of single identifying fields (names, national id numbers) with AES-256-GCM.
//
// A sealed value is nonce (12 random bytes) || ciphertext || tag (16 bytes). The associated data
// (e.g. "patient/P001/national_id") binds a value to its row and column, so a ciphertext copied into
// another row fails to open.
//
// Thread safety: a FieldCipher is immutable after construction; seal/open may be called from any
// number of threads. It owns a copy of the key and wipes it on destruction.
// Errors: construction with a key that is not 32 bytes throws std::invalid_argument; open() returns
// std::nullopt for any value that does not authenticate (tampered, truncated, wrong key or wrong
// associated data); seal() throws std::runtime_error only if OpenSSL itself fails.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::store {

class FieldCipher {
 public:
  static constexpr std::size_t kKeySize = 32;
  static constexpr std::size_t kNonceSize = 12;
  static constexpr std::size_t kTagSize = 16;

  // `key`: exactly 32 raw bytes.
  explicit FieldCipher(std::string_view key);
  // `hex`: 64 hex digits, the form configuration files carry.
  static FieldCipher from_hex(std::string_view hex);

  ~FieldCipher();
  FieldCipher(const FieldCipher&) = default;
  FieldCipher& operator=(const FieldCipher&) = default;

  [[nodiscard]] std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  [[nodiscard]] std::optional<std::string> open(std::string_view sealed,
                                                std::string_view associated_data) const;

 private:
  std::array<unsigned char, kKeySize> key_{};
};

// Keeps the first 4 and last 4 characters (UTF-8 code points) and replaces the rest with '*', one per
// character: "3201199001011230001X" -> "3201************001X". Values shorter than 12 characters are
// masked entirely, so that at least 4 characters are always hidden.
std::string mask(std::string_view value);

}  // namespace vigil::store
