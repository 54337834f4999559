// The segment summary's format (log/segment_summary.h): what is encoded decodes the same, and a
// summary that is torn, corrupt or inconsistent is refused rather than trusted.
#include "log/segment_summary.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::log::segment {
namespace {

SummaryMeta sample_meta() {
  SummaryMeta meta;
  meta.first_seq = 257;
  meta.last_seq = 900;
  meta.end = 70'000;
  meta.last_appended_at = TimePoint(Duration(1'800'000'123'456));
  meta.sparse = {{257, kHeaderSize}, {512, 20'000}, {768, 41'000}};
  return meta;
}

Heads sample_heads() {
  return {{"DEMO-S01-0001", ChainLink{899, 69'000}},
          {"DEMO-S02-0002", ChainLink{12, 400}},
          {"", ChainLink{1, 16}}};
}

std::string encoded(const SummaryMeta& meta, const Heads& heads) {
  std::string out;
  encode_summary(meta, heads, out);
  return out;
}

TEST(SegmentSummaryTest, RoundTripsTheMetaAndTheHeadsSeparately) {
  const SummaryMeta meta = sample_meta();
  const std::string bytes = encoded(meta, sample_heads());
  const std::size_t meta_size = summary_meta_size(bytes);
  ASSERT_EQ(meta_size, kSummaryFixed + std::size_t{3} * 16 + 4);
  const auto decoded = decode_summary_meta(std::string_view(bytes).substr(0, meta_size));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->first_seq, meta.first_seq);
  EXPECT_EQ(decoded->last_seq, meta.last_seq);
  EXPECT_EQ(decoded->end, meta.end);
  EXPECT_EQ(decoded->last_appended_at, meta.last_appended_at);
  EXPECT_EQ(decoded->sparse, meta.sparse);
  EXPECT_EQ(decoded->heads_count, 3u);
  ASSERT_EQ(bytes.size(), meta_size + decoded->heads_bytes + 4);
  const auto heads = decode_summary_heads(*decoded, std::string_view(bytes).substr(meta_size));
  ASSERT_TRUE(heads);
  ASSERT_EQ(heads->size(), 3u);
  for (const auto& [patient, link] : sample_heads()) {
    ASSERT_TRUE(heads->contains(patient)) << patient;
    EXPECT_EQ(heads->at(patient).seq, link.seq);
    EXPECT_EQ(heads->at(patient).offset, link.offset);
  }
}

TEST(SegmentSummaryTest, AnyFlippedOrMissingByteIsRefused) {
  const std::string bytes = encoded(sample_meta(), sample_heads());
  const std::size_t meta_size = summary_meta_size(bytes);
  const auto meta = decode_summary_meta(std::string_view(bytes).substr(0, meta_size));
  ASSERT_TRUE(meta);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    if (i < meta_size) {
      const std::size_t size = summary_meta_size(bad);
      EXPECT_FALSE(size != 0 && size <= bad.size() &&
                   decode_summary_meta(std::string_view(bad).substr(0, size)))
          << "meta byte " << i;
    } else {
      EXPECT_FALSE(decode_summary_heads(*meta, std::string_view(bad).substr(meta_size)))
          << "heads byte " << i;
    }
  }
  EXPECT_FALSE(decode_summary_meta(std::string_view(bytes).substr(0, meta_size - 1)));
  EXPECT_FALSE(
      decode_summary_heads(*meta, std::string_view(bytes).substr(meta_size, bytes.size() - meta_size - 1)));
  EXPECT_EQ(summary_meta_size(std::string_view(bytes).substr(0, kSummaryFixed - 1)), 0u);
}

TEST(SegmentSummaryTest, RefusesAMetaThatContradictsItself) {
  auto refused = [](const SummaryMeta& meta) {
    const std::string bytes = encoded(meta, {});
    return !decode_summary_meta(std::string_view(bytes).substr(0, summary_meta_size(bytes)));
  };
  EXPECT_FALSE(refused(sample_meta()));
  SummaryMeta m = sample_meta();
  m.last_seq = m.first_seq - 1;
  EXPECT_TRUE(refused(m)) << "last before first";
  m = sample_meta();
  std::swap(m.sparse[1], m.sparse[2]);
  EXPECT_TRUE(refused(m)) << "sparse points out of order";
  m = sample_meta();
  m.sparse[2].second = m.end;
  EXPECT_TRUE(refused(m)) << "a sparse point past the end";
  m = sample_meta();
  m.sparse.erase(m.sparse.begin());
  EXPECT_TRUE(refused(m)) << "the first record's point missing";
  m = sample_meta();
  m.sparse[1].first = m.last_seq + 1;
  EXPECT_TRUE(refused(m)) << "a sparse seq past the last";
}

}  // namespace
}  // namespace vigil::log::segment
