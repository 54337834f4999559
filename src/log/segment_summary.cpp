#include "log/segment_summary.h"

#include <limits>
#include <stdexcept>
#include <string_view>

#include "log/le_bytes.h"

namespace vigil::log::segment {
namespace {

constexpr std::size_t kSparseEntry = 16;
constexpr std::size_t kHeadFixed = 14;  // u16 length, u64 seq, u32 offset

}  // namespace

void encode_summary(const SummaryMeta& meta, const Heads& heads, std::string& out) {
  const std::size_t start = out.size();
  std::uint64_t heads_bytes = 0;
  for (const auto& [patient, link] : heads) {
    if (patient.size() > std::numeric_limits<std::uint16_t>::max()) {
      throw std::length_error("log summary: patient id too long");
    }
    heads_bytes += kHeadFixed + patient.size();
  }
  out.append(kSummaryMagic);
  le::put<std::uint64_t>(out, meta.first_seq);
  le::put<std::uint64_t>(out, meta.last_seq);
  le::put<std::uint64_t>(out, meta.end);
  le::put<std::int64_t>(out, meta.last_appended_at.time_since_epoch().count());
  le::put<std::uint32_t>(out, static_cast<std::uint32_t>(meta.sparse.size()));
  le::put<std::uint32_t>(out, static_cast<std::uint32_t>(heads.size()));
  le::put<std::uint64_t>(out, heads_bytes);
  for (const auto& [seq, offset] : meta.sparse) {
    le::put<std::uint64_t>(out, seq);
    le::put<std::uint64_t>(out, offset);
  }
  le::put<std::uint32_t>(out, crc32(out.data() + start, out.size() - start));
  const std::size_t heads_start = out.size();
  for (const auto& [patient, link] : heads) {
    le::put<std::uint16_t>(out, static_cast<std::uint16_t>(patient.size()));
    out.append(patient);
    le::put<std::uint64_t>(out, link.seq);
    le::put<std::uint32_t>(out, link.offset);
  }
  le::put<std::uint32_t>(out, crc32(out.data() + heads_start, out.size() - heads_start));
}

std::size_t summary_meta_size(std::span<const char> fixed) {
  if (fixed.size() < kSummaryFixed || std::string_view(fixed.data(), kSummaryMagic.size()) != kSummaryMagic) {
    return 0;
  }
  const auto sparse = le::get<std::uint32_t>(fixed.data() + 40);
  return kSummaryFixed + kSparseEntry * std::size_t{sparse} + 4;
}

std::optional<SummaryMeta> decode_summary_meta(std::span<const char> bytes) {
  const std::size_t size = summary_meta_size(bytes);
  if (size == 0 || bytes.size() < size) return std::nullopt;
  const char* p = bytes.data();
  if (crc32(p, size - 4) != le::get<std::uint32_t>(p + size - 4)) return std::nullopt;
  SummaryMeta meta;
  meta.first_seq = le::get<std::uint64_t>(p + 8);
  meta.last_seq = le::get<std::uint64_t>(p + 16);
  meta.end = le::get<std::uint64_t>(p + 24);
  meta.last_appended_at = TimePoint(Duration(le::get<std::int64_t>(p + 32)));
  const auto sparse = le::get<std::uint32_t>(p + 40);
  meta.heads_count = le::get<std::uint32_t>(p + 44);
  meta.heads_bytes = le::get<std::uint64_t>(p + 48);
  if (meta.first_seq == 0 || meta.last_seq < meta.first_seq || meta.end < kHeaderSize) return std::nullopt;
  meta.sparse.reserve(sparse);
  for (std::uint32_t i = 0; i < sparse; ++i) {
    const char* e = p + kSummaryFixed + kSparseEntry * i;
    const auto seq = le::get<std::uint64_t>(e);
    const auto offset = le::get<std::uint64_t>(e + 8);
    const bool ordered =
        meta.sparse.empty() || (seq >= meta.sparse.back().first && offset >= meta.sparse.back().second);
    if (!ordered || seq < meta.first_seq || seq > meta.last_seq || offset < kHeaderSize ||
        offset >= meta.end) {
      return std::nullopt;
    }
    meta.sparse.emplace_back(seq, offset);
  }
  // Every segment's sparse index starts at its first record, right after the header.
  if (meta.sparse.empty() ||
      meta.sparse.front() != std::pair<std::uint64_t, std::uint64_t>{meta.first_seq, kHeaderSize}) {
    return std::nullopt;
  }
  return meta;
}

std::optional<Heads> decode_summary_heads(const SummaryMeta& meta, std::span<const char> bytes) {
  if (bytes.size() != meta.heads_bytes + 4) return std::nullopt;
  const char* p = bytes.data();
  if (crc32(p, meta.heads_bytes) != le::get<std::uint32_t>(p + meta.heads_bytes)) return std::nullopt;
  Heads heads;
  heads.reserve(meta.heads_count);
  std::size_t at = 0;
  for (std::uint32_t i = 0; i < meta.heads_count; ++i) {
    if (meta.heads_bytes - at < kHeadFixed) return std::nullopt;
    const auto length = le::get<std::uint16_t>(p + at);
    if (meta.heads_bytes - at < kHeadFixed + length) return std::nullopt;
    std::string patient(p + at + 2, length);
    const auto seq = le::get<std::uint64_t>(p + at + 2 + length);
    const auto offset = le::get<std::uint32_t>(p + at + 10 + length);
    if (seq == 0 || seq > meta.last_seq) return std::nullopt;
    heads.emplace(std::move(patient), ChainLink{seq, offset});
    at += kHeadFixed + length;
  }
  if (at != meta.heads_bytes) return std::nullopt;
  return heads;
}

}  // namespace vigil::log::segment
