#pragma once
// Little-endian integers in byte strings, for the segment log's on-disk formats (segment frames,
// log/segment_codec.h, and segment summaries, log/segment_summary.h). Pure; safe from any thread.
#include <cstddef>
#include <cstdint>
#include <string>

namespace vigil::log::le {

// Appends `value`'s sizeof(T) bytes, least significant first.
template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    bytes[i] = static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * i));
  }
  out.append(bytes, sizeof(T));
}

// Reads a T from the sizeof(T) bytes at `p`, least significant first.
template <class T>
T get(const char* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return static_cast<T>(v);
}

}  // namespace vigil::log::le
