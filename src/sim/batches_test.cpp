#include "sim/batches.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::sim {
namespace {

using std::chrono::milliseconds;
using Batches = std::vector<PatientBatches::Batch>;

const PatientBatches::TimePoint t0{std::chrono::seconds(1000)};

// A reading set of `n` observations of patient `patient` ("P-<patient>").
std::vector<domain::Observation> set_of(std::size_t patient, std::size_t n = 5) {
  std::vector<domain::Observation> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i].id = std::to_string(patient) + "-" + std::to_string(i);
    out[i].patient_id = "P-" + std::to_string(patient);
  }
  return out;
}

void expect_one_patient(const PatientBatches::Batch& b) {
  for (const auto& o : b.observations) EXPECT_EQ(o.patient_id, "P-" + std::to_string(b.patient));
}

TEST(PatientBatches, NeverMixesPatientsAndKeepsEachPatientsSetsTogether) {
  PatientBatches batches(100, milliseconds(100), 64);
  Batches ready;
  for (std::size_t p : {0, 1, 0, 2, 1, 0}) batches.add(p, set_of(p), t0, ready);
  EXPECT_TRUE(ready.empty());  // none full, none expired
  EXPECT_EQ(batches.open(), 3U);
  batches.take_all(ready);
  ASSERT_EQ(ready.size(), 3U);
  EXPECT_EQ(ready[0].patient, 0U);  // in opening order
  EXPECT_EQ(ready[1].patient, 1U);
  EXPECT_EQ(ready[2].patient, 2U);
  EXPECT_EQ(ready[0].observations.size(), 15U);
  EXPECT_EQ(ready[1].observations.size(), 10U);
  EXPECT_EQ(ready[2].observations.size(), 5U);
  for (const auto& b : ready) expect_one_patient(b);
  EXPECT_TRUE(batches.empty());
}

TEST(PatientBatches, ABatchLeavesAsSoonAsAnotherSetWouldNotFit) {
  PatientBatches batches(12, milliseconds(100), 64);
  Batches ready;
  batches.add(7, set_of(7), t0, ready);
  EXPECT_TRUE(ready.empty());
  batches.add(7, set_of(7), t0, ready);  // 10 held: a third set would make 15 > 12
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_EQ(ready[0].patient, 7U);
  EXPECT_EQ(ready[0].observations.size(), 10U);
  EXPECT_TRUE(batches.empty());
}

TEST(PatientBatches, ASetAsLargeAsTheBatchGoesAloneAtOnceAndIsNeverSplit) {
  for (std::size_t size : {1, 3, 5}) {
    PatientBatches batches(size, milliseconds(100), 64);
    Batches ready;
    batches.add(1, set_of(1), t0, ready);
    ASSERT_EQ(ready.size(), 1U) << size;
    EXPECT_EQ(ready[0].observations.size(), 5U);
    EXPECT_TRUE(batches.empty());
  }
}

TEST(PatientBatches, ASetThatDoesNotFitSendsThePatientsBatchFirst) {
  PatientBatches batches(10, milliseconds(100), 64);
  Batches ready;
  batches.add(3, set_of(3, 3), t0, ready);
  batches.add(3, set_of(3, 4), t0, ready);  // 7 held: another set of 4 would make 11 > 10
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_EQ(ready[0].observations.size(), 7U);
  batches.add(3, set_of(3, 2), t0, ready);
  batches.add(3, set_of(3, 9), t0, ready);  // 2 + 9 > 10: the 2 go, then the 9 (full alone)
  ASSERT_EQ(ready.size(), 3U);
  EXPECT_EQ(ready[1].observations.size(), 2U);
  EXPECT_EQ(ready[2].observations.size(), 9U);
  EXPECT_TRUE(batches.empty());
}

TEST(PatientBatches, ABatchExpiresFlushAfterItsFirstSetNotItsLast) {
  PatientBatches batches(100, milliseconds(100), 64);
  Batches ready;
  batches.add(0, set_of(0), t0, ready);
  batches.add(1, set_of(1), t0 + milliseconds(60), ready);
  batches.add(0, set_of(0), t0 + milliseconds(90), ready);
  batches.take_expired(t0 + milliseconds(99), 100, ready);
  EXPECT_TRUE(ready.empty());
  batches.take_expired(t0 + milliseconds(100), 100, ready);
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_EQ(ready[0].patient, 0U);
  EXPECT_EQ(ready[0].observations.size(), 10U);
  batches.take_expired(t0 + milliseconds(159), 100, ready);
  EXPECT_EQ(ready.size(), 1U);
  batches.take_expired(t0 + milliseconds(160), 100, ready);
  ASSERT_EQ(ready.size(), 2U);
  EXPECT_EQ(ready[1].patient, 1U);
}

TEST(PatientBatches, TakeExpiredHandsOutNoMoreThanTheQueueHasRoomFor) {
  PatientBatches batches(100, milliseconds(100), 64);
  Batches ready;
  for (std::size_t p = 0; p < 3; ++p) batches.add(p, set_of(p), t0 + milliseconds(p), ready);
  batches.take_expired(t0 + milliseconds(500), 2, ready);
  ASSERT_EQ(ready.size(), 2U);
  EXPECT_EQ(ready[0].patient, 0U);
  EXPECT_EQ(ready[1].patient, 1U);
  EXPECT_EQ(batches.open(), 1U);
  batches.take_expired(t0 + milliseconds(500), 0, ready);
  EXPECT_EQ(ready.size(), 2U);
}

TEST(PatientBatches, BeyondMaxOpenTheOldestBatchLeavesEarly) {
  PatientBatches batches(100, milliseconds(100), 2);
  Batches ready;
  batches.add(0, set_of(0), t0, ready);
  batches.add(1, set_of(1), t0, ready);
  batches.add(1, set_of(1), t0, ready);  // an open patient: nobody is evicted
  EXPECT_TRUE(ready.empty());
  batches.add(2, set_of(2), t0, ready);
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_EQ(ready[0].patient, 0U);
  EXPECT_EQ(batches.open(), 2U);
  // Patient 0 starts a fresh batch: 1 is now the oldest and leaves.
  batches.add(0, set_of(0), t0, ready);
  ASSERT_EQ(ready.size(), 2U);
  EXPECT_EQ(ready[1].patient, 1U);
  EXPECT_EQ(ready[1].observations.size(), 10U);
  EXPECT_EQ(batches.open(), 2U);
}

}  // namespace
}  // namespace vigil::sim
