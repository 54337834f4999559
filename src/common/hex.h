#pragma once
// Lowercase hexadecimal, two digits per byte: what trace ids, API-key hashes and other digests are
// written as. Pure and thread-safe.
#include <cstdint>
#include <span>
#include <string>

namespace vigil {

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

}  // namespace vigil
