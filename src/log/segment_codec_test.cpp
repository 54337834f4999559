// The segment format detects every torn or flipped frame: recovery's safety rests on it.
#include "log/segment_codec.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

namespace vigil::log::segment {
namespace {

AppendItem item() {
  return AppendItem{RecordKind::observation,
                    "5f0c1c9e-6a53-4c55-9d43-2f1f3c0b7d11",
                    "DEMO-S01-0007",
                    "8867-4",
                    TimePoint(Duration(1'800'000'000'123)),
                    R"({"value":112.0,"unit":"/min"})",
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"};
}

TEST(SegmentCodecTest, FrameRoundTripsEveryFieldAndTheChainLink) {
  std::string bytes;
  encode_frame(item(), 42, ChainLink{17, 4096}, TimePoint(Duration(1'800'000'001'000)), bytes);
  EXPECT_EQ(frame_size(bytes), bytes.size());
  const DecodedFrame f = decode_frame(bytes);
  ASSERT_EQ(f.status, DecodeStatus::ok);
  EXPECT_EQ(f.size, bytes.size());
  EXPECT_EQ(f.record.seq, 42u);
  EXPECT_EQ(f.record.kind, RecordKind::observation);
  EXPECT_EQ(f.record.id, item().id);
  EXPECT_EQ(f.record.patient_id, "DEMO-S01-0007");
  EXPECT_EQ(f.record.code, "8867-4");
  EXPECT_EQ(f.record.effective_time, item().effective_time);
  EXPECT_EQ(f.record.appended_at, TimePoint(Duration(1'800'000'001'000)));
  EXPECT_EQ(f.record.payload, item().payload);
  EXPECT_EQ(f.record.trace, item().trace);
  EXPECT_EQ(f.prev.seq, 17u);
  EXPECT_EQ(f.prev.offset, 4096u);
}

// Pins the on-disk format byte for byte: a change here means old segments no longer open. The
// checksum is the standard CRC-32 of the body (python3 -c "import zlib; zlib.crc32(body)").
TEST(SegmentCodecTest, TheFrameLayoutIsStable) {
  const AppendItem it{RecordKind::observation, "id-1", "P-1", "8867-4", TimePoint(Duration(1000)), "{}", "t"};
  std::string bytes;
  encode_frame(it, 7, ChainLink{5, 300}, TimePoint(Duration(2000)), bytes);
  std::string hex;
  for (unsigned char c : bytes) hex += fmt::format("{:02x}", c);
  EXPECT_EQ(hex,
            "42000000"                            // body length 66
            "abf9dc92"                            // CRC-32 of the body
            "0700000000000000"                    // seq 7
            "0500000000000000"                    // previous record of the patient: seq 5
            "2c010000"                            // ... at offset 300
            "d007000000000000"                    // appended at 2000 ms
            "e803000000000000"                    // effective at 1000 ms
            "0100"                                // kind observation, reserved
            "0400030006000100"                    // lengths: id 4, patient 3, code 6, trace 1
            "02000000"                            // payload length 2
            "69642d31502d31383836372d34747b7d");  // "id-1" "P-1" "8867-4" "t" "{}"
}

TEST(SegmentCodecTest, EmptyStringsAndQuestionnaireKindRoundTrip) {
  AppendItem it{RecordKind::questionnaire_response, "id", "", "", TimePoint{}, ""};
  std::string bytes;
  encode_frame(it, 1, {}, TimePoint{}, bytes);
  const DecodedFrame f = decode_frame(bytes);
  ASSERT_EQ(f.status, DecodeStatus::ok);
  EXPECT_EQ(f.record.kind, RecordKind::questionnaire_response);
  EXPECT_TRUE(f.record.patient_id.empty());
  EXPECT_TRUE(f.record.payload.empty());
}

TEST(SegmentCodecTest, EveryTruncationIsIncompleteNeverOk) {
  std::string bytes;
  encode_frame(item(), 1, {}, TimePoint{}, bytes);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_frame(std::span<const char>(bytes.data(), n)).status, DecodeStatus::incomplete) << n;
  }
}

TEST(SegmentCodecTest, EverySingleBitFlipIsDetected) {
  std::string bytes;
  encode_frame(item(), 9, ChainLink{3, 100}, TimePoint(Duration(5)), bytes);
  for (std::size_t byte = 0; byte < bytes.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << bit));
      EXPECT_NE(decode_frame(flipped).status, DecodeStatus::ok) << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(SegmentCodecTest, RandomBytesNeverDecodeOrCrash) {
  std::mt19937_64 rng(7);
  std::string noise(4096, '\0');
  for (int round = 0; round < 2000; ++round) {
    for (char& c : noise) c = static_cast<char>(rng());
    const std::size_t n = rng() % noise.size();
    EXPECT_NE(decode_frame(std::span<const char>(noise.data(), n)).status, DecodeStatus::ok);
  }
  EXPECT_NE(decode_frame(std::string(64, '\0')).status, DecodeStatus::ok);  // a zero-filled tail
}

TEST(SegmentCodecTest, HeaderRoundTripsAndRejectsForeignBytes) {
  std::string header;
  encode_header(123456789, header);
  ASSERT_EQ(header.size(), kHeaderSize);
  EXPECT_EQ(decode_header(header), 123456789u);
  header[0] = 'X';
  EXPECT_EQ(decode_header(header), 0u);
  EXPECT_EQ(decode_header(std::string("VIGLOG01")), 0u);  // too short
}

TEST(SegmentCodecTest, OverlongFieldsAreRefusedBeforeAnythingIsWritten) {
  AppendItem it = item();
  it.id.assign(70'000, 'x');
  std::string bytes;
  EXPECT_THROW(encode_frame(it, 1, {}, TimePoint{}, bytes), std::length_error);
  EXPECT_TRUE(bytes.empty());
}

}  // namespace
}  // namespace vigil::log::segment
