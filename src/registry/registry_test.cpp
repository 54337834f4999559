#include "registry/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "registry/memory_registry.h"

namespace vigil::registry {
namespace {

using ::testing::ElementsAre;

Patient make_patient(std::string id, std::string site, PatientStatus status, int spo2_scale = 1) {
  Patient p;
  p.id = std::move(id);
  p.trial_id = "T1";
  p.site_id = std::move(site);
  p.arm = "A";
  p.status = status;
  p.enrolled_at = TimePoint(std::chrono::hours(24 * 365 * 56));
  p.settings.spo2_scale = spo2_scale;
  return p;
}

RegistryContents small_trial() {
  RegistryContents c;
  c.trials.push_back(Trial{"T1", "Trial one", "2", TrialStatus::active});
  c.trials.push_back(Trial{"T2", "Trial two", "3", TrialStatus::planned});
  c.sites.push_back(Site{"S01", "T1", "London", "GB", "Europe/London", "Dr A"});
  c.sites.push_back(Site{"S02", "T1", "Paris", "FR", "Europe/Paris", "Dr B"});
  c.sites.push_back(Site{"S03", "T2", "Tokyo", "JP", "Asia/Tokyo", "Dr C"});
  c.patients.push_back(make_patient("P-ENROLLED", "S01", PatientStatus::enrolled, 2));
  c.patients.push_back(make_patient("P-SCREENED", "S01", PatientStatus::screened));
  c.patients.push_back(make_patient("P-WITHDRAWN", "S02", PatientStatus::withdrawn));
  c.patients.push_back(make_patient("P-COMPLETED", "S02", PatientStatus::completed));
  for (const auto* trial : {"T1", "T2"}) {
    auto p = std::make_shared<rules::Protocol>();
    p->trial_id = trial;
    p->version = trial == std::string("T1") ? 3 : 1;
    c.protocols.push_back(std::move(p));
  }
  return c;
}

TEST(RegistryStatus, NamesRoundTrip) {
  for (auto s : {PatientStatus::screened, PatientStatus::enrolled, PatientStatus::withdrawn,
                 PatientStatus::completed}) {
    EXPECT_EQ(parse_patient_status(to_string(s)), s);
  }
  for (auto s : {TrialStatus::planned, TrialStatus::active, TrialStatus::suspended, TrialStatus::completed}) {
    EXPECT_EQ(parse_trial_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(PatientStatus::withdrawn), "withdrawn");
  EXPECT_FALSE(parse_patient_status("Enrolled"));
  EXPECT_FALSE(parse_trial_status(""));
}

TEST(MemoryRegistry, LooksUpPatientsSitesTrialsAndProtocols) {
  const MemoryRegistry r(small_trial());
  const auto p = r.patient("P-ENROLLED");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->site_id, "S01");
  EXPECT_EQ(p->trial_id, "T1");
  EXPECT_EQ(p->settings.spo2_scale, 2);
  EXPECT_FALSE(r.patient("P-NOBODY"));
  EXPECT_FALSE(r.patient(""));

  ASSERT_TRUE(r.site("S02"));
  EXPECT_EQ(r.site("S02")->timezone, "Europe/Paris");
  EXPECT_FALSE(r.site("S99"));
  ASSERT_TRUE(r.trial("T2"));
  EXPECT_EQ(r.trial("T2")->status, TrialStatus::planned);
  EXPECT_FALSE(r.trial("T9"));

  ASSERT_NE(r.protocol("T1"), nullptr);
  EXPECT_EQ(r.protocol("T1")->version, 3);
  EXPECT_EQ(r.protocol("T2")->trial_id, "T2");
  EXPECT_EQ(r.protocol("T9"), nullptr);
  // The same immutable object every time: holding it is cheap and it never changes underneath.
  EXPECT_EQ(r.protocol("T1").get(), r.protocol("T1").get());

  EXPECT_EQ(r.patient_count(), 4u);
}

TEST(MemoryRegistry, ListsInTheOrderGiven) {
  const MemoryRegistry r(small_trial());
  std::vector<std::string> trials;
  for (const auto& t : r.trials()) trials.push_back(t.id);
  EXPECT_THAT(trials, ElementsAre("T1", "T2"));
  std::vector<std::string> sites;
  for (const auto& s : r.sites("T1")) sites.push_back(s.id);
  EXPECT_THAT(sites, ElementsAre("S01", "S02"));
  EXPECT_TRUE(r.sites("T9").empty());
}

TEST(MemoryRegistry, ForEachPatientVisitsEveryStatusAndMayCallBack) {
  const MemoryRegistry r(small_trial());
  std::vector<std::string> seen;
  r.for_each_patient([&](const Patient& p) {
    // The missing-data scan looks up each patient's protocol from inside the walk.
    ASSERT_NE(r.protocol(p.trial_id), nullptr);
    seen.push_back(p.id);
  });
  EXPECT_THAT(seen, ElementsAre("P-ENROLLED", "P-SCREENED", "P-WITHDRAWN", "P-COMPLETED"));
}

TEST(MemoryRegistry, IntakeCheckAcceptsOnlyEnrolledPatients) {
  const MemoryRegistry r(small_trial());

  const auto ok = r.check_patient_for_intake("P-ENROLLED");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.result, PatientCheck::Result::ok);
  ASSERT_TRUE(ok.patient);
  EXPECT_EQ(ok.patient->id, "P-ENROLLED");
  EXPECT_EQ(ok.detail, "");

  const auto unknown = r.check_patient_for_intake("P-NOBODY");
  EXPECT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.result, PatientCheck::Result::unknown);
  EXPECT_FALSE(unknown.patient);
  EXPECT_EQ(unknown.detail, "patient 'P-NOBODY' is not registered in any trial");

  const auto screened = r.check_patient_for_intake("P-SCREENED");
  EXPECT_EQ(screened.result, PatientCheck::Result::not_enrolled);
  ASSERT_TRUE(screened.patient);
  EXPECT_EQ(screened.patient->status, PatientStatus::screened);
  EXPECT_EQ(screened.detail,
            "patient 'P-SCREENED' is screened but not enrolled in trial T1; data is accepted only for "
            "enrolled patients");

  const auto withdrawn = r.check_patient_for_intake("P-WITHDRAWN");
  EXPECT_EQ(withdrawn.result, PatientCheck::Result::not_enrolled);
  EXPECT_EQ(withdrawn.patient->status, PatientStatus::withdrawn);
  EXPECT_EQ(withdrawn.detail,
            "patient 'P-WITHDRAWN' has withdrawn from trial T1; data is accepted only for enrolled patients");

  const auto completed = r.check_patient_for_intake("P-COMPLETED");
  EXPECT_EQ(completed.result, PatientCheck::Result::not_enrolled);
  EXPECT_EQ(completed.patient->status, PatientStatus::completed);
  EXPECT_EQ(completed.detail,
            "patient 'P-COMPLETED' has completed trial T1; data is accepted only for enrolled patients");
}

TEST(MemoryRegistry, RejectsInconsistentContents) {
  const auto expect_invalid = [](RegistryContents c, const std::string& message) {
    try {
      const MemoryRegistry r(std::move(c));
      ADD_FAILURE() << "expected std::invalid_argument: " << message;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
  };
  auto c = small_trial();
  c.patients.push_back(make_patient("P-ENROLLED", "S02", PatientStatus::enrolled));
  expect_invalid(c, "registry: duplicate patient id 'P-ENROLLED'");

  c = small_trial();
  c.patients.push_back(make_patient("P-X", "S77", PatientStatus::enrolled));
  expect_invalid(c, "registry: patient 'P-X' refers to unknown site 'S77'");

  c = small_trial();
  c.patients.push_back(make_patient("P-X", "S03", PatientStatus::enrolled));  // S03 belongs to T2
  expect_invalid(c, "registry: patient 'P-X' is in trial 'T1' but site 'S03' is not");

  c = small_trial();
  c.sites.push_back(Site{"S01", "T2", "Again", "GB", "UTC", "Dr D"});
  expect_invalid(c, "registry: duplicate site id 'S01'");

  c = small_trial();
  c.protocols.pop_back();
  expect_invalid(c, "registry: trial 'T2' has no protocol");

  c = small_trial();
  c.protocols.push_back(c.protocols.front());
  expect_invalid(c, "registry: two protocols for trial 'T1'");
}

// Many threads read at once, as the processor's workers and the intake handlers do; run under TSan
// in CI, this proves the registry needs no lock for readers.
TEST(MemoryRegistry, ConcurrentReadersSeeConsistentAnswers) {
  auto contents = small_trial();
  for (int i = 0; i < 2000; ++i) {
    contents.patients.push_back(make_patient("P" + std::to_string(i), i % 2 ? "S01" : "S02",
                                             PatientStatus::enrolled, i % 50 == 0 ? 2 : 1));
  }
  const MemoryRegistry r(std::move(contents));
  std::atomic<int> wrong{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < 2000; ++i) {
        const int n = (i * 7 + t * 131) % 2000;
        const auto check = r.check_patient_for_intake("P" + std::to_string(n));
        if (!check.ok() || check.patient->settings.spo2_scale != (n % 50 == 0 ? 2 : 1)) ++wrong;
        if (r.protocol("T1")->version != 3) ++wrong;
        if (r.check_patient_for_intake("P-SCREENED").ok()) ++wrong;
      }
      std::size_t walked = 0;
      r.for_each_patient([&](const Patient&) { ++walked; });
      if (walked != r.patient_count()) ++wrong;
    });
  }
  go = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace vigil::registry
