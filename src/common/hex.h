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
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
}

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  append_hex(out, bytes);
  return out;
}

}  // namespace vigil
