#include "store/audit_chain.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace vigil::store {
namespace {

std::vector<AuditRecord> chain(int n) {
  std::vector<AuditRecord> out;
  for (int i = 0; i < n; ++i) {
    AuditRecord r;
    r.actor = "user-" + std::to_string(i % 3);
    r.at = TimePoint(Duration(1'780'000'000'000 + i * 1000));
    r.action = "patient.enrol";
    r.entity_type = "patient";
    r.entity_id = "P" + std::to_string(i);
    r.old_value = i % 2 ? std::optional<std::string>(R"({"status":"screened"})") : std::nullopt;
    r.new_value = R"({"status":"enrolled"})";
    r.reason = "consent";
    chain_after(out.empty() ? nullptr : &out.back(), r);
    out.push_back(r);
  }
  return out;
}

TEST(AuditChain, GenesisAndLinks) {
  const auto records = chain(4);
  EXPECT_EQ(records[0].seq, 1);
  EXPECT_EQ(records[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(records[2].prev_hash, records[1].hash);
  EXPECT_EQ(records[0].hash.size(), 64u);
  const auto result = verify_chain(records);
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.checked, 4);
  EXPECT_TRUE(verify_chain({}).ok);
}

TEST(AuditChain, SerializationIsLengthPrefixedAndDistinguishesNullFromEmpty) {
  AuditRecord r;
  r.seq = 7;
  r.actor = "a:b\n";
  r.at = TimePoint(Duration(0));
  r.action = "x.y";
  r.entity_type = "t";
  r.entity_id = "";
  r.old_value = std::nullopt;
  r.new_value = "";
  r.reason = "r";
  r.prev_hash = "p";
  EXPECT_EQ(canonical_serialization(r),
            "vigil-audit-v1\n1:7\n4:a:b\n\n24:1970-01-01T00:00:00.000Z\n3:x.y\n1:t\n0:\n-\n0:\n1:r\n1:p\n");
  auto other = r;
  other.old_value = "";
  EXPECT_NE(record_hash(r), record_hash(other));
  // Moving a character between adjacent fields changes the hash.
  auto shifted = r;
  shifted.actor = "a:b";
  shifted.action = "\nx.y";
  EXPECT_NE(record_hash(r), record_hash(shifted));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuditChain, ChangedFieldIsAHashMismatchAtItsSeq) {
  for (int field = 0; field < 6; ++field) {
    auto records = chain(5);
    auto& r = records[2];
    switch (field) {
      case 0:
        r.actor = "mallory";
        break;
      case 1:
        r.at += Duration(1);
        break;
      case 2:
        r.old_value = "{}";
        break;  // record 3 had none
      case 3:
        r.new_value = R"({"status":"withdrawn"})";
        break;
      case 4:
        r.reason += " ";
        break;
      default:
        r.entity_id = "P99";
        break;
    }
    const auto result = verify_chain(records);
    EXPECT_FALSE(result.ok) << field;
    EXPECT_EQ(result.broken_seq, 3) << field;
    EXPECT_EQ(result.problem, VerifyResult::Problem::hash_mismatch) << field;
    EXPECT_EQ(result.checked, 2);
  }
}

TEST(AuditChain, DeletedMiddleRecordIsAGap) {
  auto records = chain(5);
  records.erase(records.begin() + 2);
  const auto result = verify_chain(records);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 3);
  EXPECT_EQ(result.problem, VerifyResult::Problem::seq_gap);
}

TEST(AuditChain, RenumberedAfterDeletionIsAPrevHashMismatch) {
  auto records = chain(5);
  records.erase(records.begin() + 2);
  for (std::size_t i = 2; i < records.size(); ++i) records[i].seq = static_cast<std::int64_t>(i + 1);
  const auto result = verify_chain(records);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 3);
  EXPECT_EQ(result.problem, VerifyResult::Problem::prev_hash_mismatch);
}

TEST(AuditChain, ReorderedRecordsAreDetected) {
  auto records = chain(5);
  std::swap(records[1], records[3]);
  const auto result = verify_chain(records);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.broken_seq, 2);
  EXPECT_EQ(result.problem, VerifyResult::Problem::seq_gap);

  // Swapping contents but keeping the seq numbers in place breaks the links instead.
  records = chain(5);
  std::swap(records[1], records[3]);
  std::swap(records[1].seq, records[3].seq);
  const auto relinked = verify_chain(records);
  EXPECT_FALSE(relinked.ok);
  EXPECT_EQ(relinked.broken_seq, 2);
  EXPECT_EQ(relinked.problem, VerifyResult::Problem::prev_hash_mismatch);
}

TEST(AuditChain, EditedHashIsDetectedAtThatRecord) {
  auto records = chain(5);
  records[3].hash = record_hash(records[2]);
  auto result = verify_chain(records);
  EXPECT_EQ(result.broken_seq, 4);
  EXPECT_EQ(result.problem, VerifyResult::Problem::hash_mismatch);

  // Re-hashing a changed record moves the break to the next link.
  records = chain(5);
  records[1].actor = "mallory";
  records[1].hash = record_hash(records[1]);
  result = verify_chain(records);
  EXPECT_EQ(result.broken_seq, 3);
  EXPECT_EQ(result.problem, VerifyResult::Problem::prev_hash_mismatch);
}

TEST(AuditChain, VerifierStopsAtTheFirstProblem) {
  auto records = chain(6);
  records[1].reason = "x";
  records[4].reason = "y";
  ChainVerifier v;
  int accepted = 0;
  for (const auto& r : records) accepted += v.feed(r) ? 1 : 0;
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(v.result().broken_seq, 2);
}

}  // namespace
}  // namespace vigil::store
