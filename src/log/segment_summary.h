#pragma once
// A sealed segment's summary (`<first seq>.sum`, beside its `.seg`): what start-up would otherwise
// learn by reading and verifying every frame of the segment. Written when the segment is sealed;
// start-up uses it instead of the segment's frames when the segment holds nothing it must visit
// (log/segment_store.h, Recovery), so that start-up reads the newest segments, not the whole log.
//
//   meta:  "VIGSUM01" | u64 first_seq | u64 last_seq | u64 end | i64 last_appended_ms |
//          u32 sparse_count | u32 heads_count | u64 heads_bytes |
//          sparse_count x (u64 seq | u64 offset) | u32 crc32(all of the meta before it)
//   heads: heads_count x (u16 patient_len | patient | u64 seq | u32 offset) | u32 crc32(the entries)
//
// Little-endian, CRC-32 as in segment frames. `heads` is every patient's newest record as of
// last_seq, across the whole log (cumulative), so start-up needs only the newest summary's heads;
// they come last and have their own checksum, so that reading an older summary's meta does not
// read them. A summary is a cache: one that is missing, torn or inconsistent with its segment is
// ignored and the segment read instead, so it is written without fsync.
//
// Pure functions, no I/O; safe from any thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "log/segment_codec.h"

namespace vigil::log::segment {

inline constexpr std::string_view kSummaryMagic = "VIGSUM01";
inline constexpr std::size_t kSummaryFixed = 56;  // the meta before its sparse entries

struct SummaryMeta {
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t end = 0;  // bytes of the segment file: header and frames
  TimePoint last_appended_at{};
  std::vector<std::pair<std::uint64_t, std::uint64_t>> sparse;  // (seq, offset), ascending
  std::uint32_t heads_count = 0;
  std::uint64_t heads_bytes = 0;  // the heads' entries, without their checksum
};

using Heads = std::unordered_map<std::string, ChainLink>;

// Appends a whole summary. Throws std::length_error for a patient id longer than 65,535 bytes.
void encode_summary(const SummaryMeta& meta, const Heads& heads, std::string& out);

// Bytes of the meta (with its checksum) that a summary starting with `fixed` (at least
// kSummaryFixed bytes) announces; 0 when `fixed` is not the start of a summary.
std::size_t summary_meta_size(std::span<const char> fixed);
// The meta at the start of `bytes` (summary_meta_size bytes), verified: nullopt when the checksum
// fails or its fields contradict each other (sparse points out of order or outside the segment).
std::optional<SummaryMeta> decode_summary_meta(std::span<const char> bytes);
// The heads block that follows the meta (meta.heads_bytes + 4 bytes), verified.
std::optional<Heads> decode_summary_heads(const SummaryMeta& meta, std::span<const char> bytes);

}  // namespace vigil::log::segment
