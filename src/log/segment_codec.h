#pragma once
// The on-disk format of the segment log (log/segment_log.h): a segment file is a 16-byte header
// followed by frames, one per record, each checksummed so that recovery can tell a complete frame
// from a torn or corrupt one.
//
//   segment header: "VIGLOG01" (8 bytes, the version is part of the magic) | u64 first_seq
//   frame:          u32 body_len | u32 crc32(body) | body
//   body:           u64 seq | u64 prev_seq | u32 prev_offset | i64 appended_ms | i64 effective_ms |
//                   u8 kind | u8 0 | u16 id_len | u16 patient_len | u16 code_len | u16 trace_len |
//                   u32 payload_len | id | patient_id | code | trace | payload
//
// All integers little-endian. prev_seq/prev_offset point at the previous record of the same
// patient (0/0 for the first), which is how latest() walks one patient's history newest first.
// The CRC is CRC-32 (ISO-HDLC, as zlib and Ethernet), over the body.
//
// Pure functions, no I/O; safe from any thread.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "log/log.h"

namespace vigil::log::segment {

inline constexpr std::string_view kMagic = "VIGLOG01";
inline constexpr std::size_t kHeaderSize = 16;
inline constexpr std::size_t kFramePrefix = 8;  // body_len + crc
inline constexpr std::size_t kBodyFixed = 50;
// A body larger than this is corruption, not a record: the intake's body limits keep every record
// far below it, and it bounds what recovery allocates for a garbage length.
inline constexpr std::size_t kMaxBody = 16u << 20;

// Where the previous record of the same patient lives.
struct ChainLink {
  std::uint64_t seq = 0;  // 0: none
  std::uint32_t offset = 0;
};

// The standard CRC-32 (ISO-HDLC: zlib's and Ethernet's) of `size` bytes, as frames and segment
// summaries use it.
std::uint32_t crc32(const char* data, std::size_t size);

// Appends the segment header for a segment whose first record will be `first_seq`.
void encode_header(std::uint64_t first_seq, std::string& out);
// The header's first_seq, or 0 when the bytes are not a valid header.
std::uint64_t decode_header(std::span<const char> bytes);

// Appends one frame. Throws std::length_error when a field is longer than the format allows
// (u16 lengths: ids, patient ids, codes and traces are bounded far below that by the intake).
void encode_frame(const AppendItem& item, std::uint64_t seq, ChainLink prev, TimePoint appended_at,
                  std::string& out);

enum class DecodeStatus : std::uint8_t {
  ok,
  incomplete,  // the bytes end inside the frame: more may follow, or it is a torn tail
  corrupt,     // impossible length, bad checksum or inconsistent field lengths
};

struct DecodedFrame {
  DecodeStatus status = DecodeStatus::corrupt;
  std::size_t size = 0;  // bytes of the whole frame (prefix + body) when ok
  Record record;
  ChainLink prev;
};

// Decodes (and verifies) the frame at the start of `bytes`.
DecodedFrame decode_frame(std::span<const char> bytes);
// The same into `f`, whose record's strings keep their capacity: a reader that hands in records
// it is done with decodes without allocating (SegmentStore::read's `recycled`). On a status other
// than ok, f.record holds whatever it held, or part of the frame.
void decode_frame(std::span<const char> bytes, DecodedFrame& f);

// The body length a frame prefix announces (0 when fewer than kFramePrefix bytes are given).
std::size_t frame_size(std::span<const char> prefix);

}  // namespace vigil::log::segment
