#pragma once
// Lowercase hexadecimal, two digits per byte: what trace ids, API-key hashes and other digests are
// written as. Pure and thread-safe.
#include <cstdint>
#include <span>
#include <string>

namespace vigil {

// Appends the digits to `out` (for building a larger string with one allocation).
inline void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[at + 2 * i] = kDigits[bytes[i] >> 4];
    out[at + 2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
}

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out;
  append_hex(out, bytes);
  return out;
}

}  // namespace vigil
