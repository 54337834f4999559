// Conformance: patients (CRUD, filters, transitions, counts under concurrency, identities).
#include <atomic>
#include <thread>

#include "store/conformance_test.h"

namespace vigil::store::testing {
namespace {

using registry::Patient;
using registry::PatientStatus;
using registry::TrialStatus;
using Code = StoreError::Code;

TEST_P(RegistryStoreConformance, PatientsAreScreenedReadAndFiltered) {
  add_trial("T1", 2);
  add_trial("T2", 1);
  add_patient("P1", "T1", "T1-S1");
  add_patient("P2", "T1", "T1-S2");
  add_patient("P3", "T1", "T1-S2");
  add_patient("P4", "T2", "T2-S1");
  store().enrol_patient("P3", Enrolment{"A", std::nullopt}, ctx());

  auto p = store().get_patient("P1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, PatientStatus::screened);
  EXPECT_EQ(p->enrolled_at, TimePoint{});
  EXPECT_EQ(p->settings.spo2_scale, 1);
  EXPECT_FALSE(store().get_patient("P9"));

  auto ids = [&](const PatientFilter& f) {
    std::vector<std::string> out;
    PageRequest page{"", 1};
    do {
      auto pg = store().list_patients(f, page);
      for (const auto& x : pg.items) out.push_back(x.id);
      page.cursor = pg.next_cursor;
    } while (!page.cursor.empty());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{"P1", "P2", "P3", "P4"}));
  EXPECT_EQ(ids(PatientFilter{"T1", {}, {}}), (V{"P1", "P2", "P3"}));
  EXPECT_EQ(ids(PatientFilter{{}, "T1-S2", {}}), (V{"P2", "P3"}));
  EXPECT_EQ(ids(PatientFilter{"T1", "T1-S2", PatientStatus::screened}), (V{"P2"}));
  EXPECT_EQ(ids(PatientFilter{{}, {}, PatientStatus::enrolled}), (V{"P3"}));
  EXPECT_EQ(ids(PatientFilter{"T2", "T1-S1", {}}), V{});
}

TEST_P(RegistryStoreConformance, PatientCreationChecksTrialSiteAndDuplicates) {
  add_trial("T1", 1);
  add_trial("T2", 1);
  add_patient("P1", "T1", "T1-S1");
  EXPECT_EQ(error_of([&] { add_patient("P1", "T1", "T1-S1"); }), Code::conflict);
  EXPECT_EQ(error_of([&] { add_patient("P2", "T1", "T2-S1"); }), Code::invalid_argument);
  EXPECT_EQ(error_of([&] { add_patient("P2", "T404", "T1-S1"); }), Code::not_found);
  EXPECT_EQ(error_of([&] { add_patient("P2", "T1", "nowhere"); }), Code::not_found);
  store().create_trial(registry::Trial{"T3", "n", "1", TrialStatus::planned}, ctx());
  add_site("T3-S1", "T3");
  EXPECT_EQ(error_of([&] { add_patient("P2", "T3", "T3-S1"); }), Code::invalid_transition);

  Patient imported;
  imported.id = "P5";
  imported.trial_id = "T1";
  imported.site_id = "T1-S1";
  imported.arm = "placebo";
  imported.status = PatientStatus::enrolled;
  imported.enrolled_at = TimePoint(Duration(1'700'000'000'000));
  imported.settings.spo2_scale = 2;
  store().create_patient(imported, ctx());
  auto got = store().get_patient("P5");
  EXPECT_EQ(got->status, PatientStatus::enrolled);
  EXPECT_EQ(got->enrolled_at, imported.enrolled_at);
  EXPECT_EQ(got->settings.spo2_scale, 2);
  EXPECT_EQ(got->arm, "placebo");

  imported.id = "P6";
  imported.status = PatientStatus::withdrawn;
  EXPECT_EQ(error_of([&] { store().create_patient(imported, ctx()); }), Code::invalid_transition);
  imported.status = PatientStatus::screened;
  imported.settings.spo2_scale = 3;
  EXPECT_EQ(error_of([&] { store().create_patient(imported, ctx()); }), Code::invalid_argument);
  EXPECT_EQ(store().list_patients({}, {"", 100}).items.size(), 2u);
}

TEST_P(RegistryStoreConformance, PatientTransitionsFollowTheRules) {
  add_trial("T1", 1);
  auto fresh = [&](const std::string& id) { return add_patient(id, "T1", "T1-S1"); };
  fresh("a");
  auto enrolled = store().enrol_patient("a", Enrolment{"active", TimePoint(Duration(86'400'000))}, ctx());
  EXPECT_EQ(enrolled.status, PatientStatus::enrolled);
  EXPECT_EQ(enrolled.arm, "active");
  EXPECT_EQ(enrolled.enrolled_at, TimePoint(Duration(86'400'000)));
  EXPECT_EQ(store().set_patient_status("a", PatientStatus::completed, ctx()).status,
            PatientStatus::completed);

  fresh("b");
  store().enrol_patient("b", Enrolment{"placebo", std::nullopt}, ctx());
  EXPECT_NE(store().get_patient("b")->enrolled_at, TimePoint{});
  EXPECT_EQ(store().set_patient_status("b", PatientStatus::withdrawn, ctx()).status,
            PatientStatus::withdrawn);

  fresh("c");
  EXPECT_EQ(store().set_patient_status("c", PatientStatus::withdrawn, ctx()).status,
            PatientStatus::withdrawn);

  fresh("d");
  std::string message;
  EXPECT_EQ(error_of([&] { store().set_patient_status("d", PatientStatus::completed, ctx()); }, &message),
            Code::invalid_transition);
  EXPECT_NE(message.find("screened"), std::string::npos) << message;
  EXPECT_NE(message.find("completed"), std::string::npos) << message;
  EXPECT_EQ(store().set_patient_status("d", PatientStatus::enrolled, ctx()).status, PatientStatus::enrolled);
  EXPECT_EQ(error_of([&] { store().enrol_patient("d", Enrolment{}, ctx()); }), Code::invalid_transition);

  // Withdrawn and completed are final: no re-enrolment, no other change.
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_EQ(error_of(
                  [&] {
                    store().enrol_patient(id, Enrolment{"x", std::nullopt}, ctx());
                  },
                  &message),
              Code::invalid_transition)
        << id;
    EXPECT_NE(message.find("to enrolled"), std::string::npos) << message;
    for (auto to : {PatientStatus::screened, PatientStatus::withdrawn, PatientStatus::completed}) {
      EXPECT_EQ(error_of([&] { store().set_patient_status(id, to, ctx()); }), Code::invalid_transition) << id;
    }
  }
  EXPECT_EQ(store().get_patient("b")->status, PatientStatus::withdrawn);
  EXPECT_EQ(store().get_patient("b")->arm, "placebo");
  EXPECT_EQ(error_of([&] { store().enrol_patient("zz", Enrolment{}, ctx()); }), Code::not_found);

  // No enrolment once the trial stops recruiting.
  fresh("e");
  store().set_trial_status("T1", TrialStatus::suspended, ctx());
  EXPECT_EQ(error_of([&] { store().enrol_patient("e", Enrolment{}, ctx()); }), Code::invalid_transition);
  EXPECT_EQ(store().get_patient("e")->status, PatientStatus::screened);
}

TEST_P(RegistryStoreConformance, SettingsUpdateValidatesTheSpo2Scale) {
  add_trial("T1", 1);
  add_patient("P1", "T1", "T1-S1");
  EXPECT_EQ(store().update_patient_settings("P1", rules::PatientSettings{2}, ctx()).settings.spo2_scale, 2);
  EXPECT_EQ(store().get_patient("P1")->settings.spo2_scale, 2);
  EXPECT_EQ(error_of([&] { store().update_patient_settings("P1", rules::PatientSettings{0}, ctx()); }),
            Code::invalid_argument);
  EXPECT_EQ(error_of([&] { store().update_patient_settings("P9", rules::PatientSettings{1}, ctx()); }),
            Code::not_found);
}

TEST_P(RegistryStoreConformance, CountsAgreeWithRowsUnderConcurrentEnrolment) {
  add_trial("T1", 3);
  add_trial("T2", 1);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "P" + std::to_string(t) + "-" + std::to_string(i);
        const std::string trial = t == 7 ? "T2" : "T1";
        const std::string site = t == 7 ? "T2-S1" : "T1-S" + std::to_string(1 + (t + i) % 3);
        try {
          add_patient(id, trial, site);
          if (i % 5 != 0) store().enrol_patient(id, Enrolment{"A", std::nullopt}, ctx());
          if (i % 10 == 1) store().set_patient_status(id, PatientStatus::withdrawn, ctx());
          if (t % 2 == 0) (void)store().counts(trial);  // readers interleaved with writers
        } catch (const StoreError&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);

  auto rows = [&](const PatientFilter& f) {
    StatusCounts c;
    PageRequest page{"", kMaxPageLimit};
    do {
      auto pg = store().list_patients(f, page);
      for (const auto& p : pg.items) {
        if (p.status == PatientStatus::screened) ++c.screened;
        if (p.status == PatientStatus::enrolled) ++c.enrolled;
        if (p.status == PatientStatus::withdrawn) ++c.withdrawn;
        if (p.status == PatientStatus::completed) ++c.completed;
      }
      page.cursor = pg.next_cursor;
    } while (!page.cursor.empty());
    return c;
  };
  const auto t1 = store().counts("T1");
  EXPECT_EQ(t1.counts.total(), 7 * kPerThread);
  EXPECT_EQ(t1.counts.screened, 7 * 10);
  EXPECT_EQ(t1.counts.withdrawn, 7 * 5);
  EXPECT_EQ(t1.counts.enrolled, 7 * (kPerThread - 10 - 5));
  EXPECT_EQ(t1.counts, rows(PatientFilter{"T1", {}, {}}));
  ASSERT_EQ(t1.sites.size(), 3u);
  StatusCounts sum;
  for (const auto& s : t1.sites) {
    EXPECT_EQ(s.counts, rows(PatientFilter{"T1", s.site_id, {}})) << s.site_id;
    sum.screened += s.counts.screened;
    sum.enrolled += s.counts.enrolled;
    sum.withdrawn += s.counts.withdrawn;
    sum.completed += s.counts.completed;
  }
  EXPECT_EQ(sum, t1.counts);
  const auto t2 = store().counts("T2");
  EXPECT_EQ(t2.counts, rows(PatientFilter{"T2", {}, {}}));
  EXPECT_EQ(t2.counts.total(), kPerThread);
  EXPECT_EQ(error_of([&] { (void)store().counts("T9"); }), Code::not_found);
  EXPECT_TRUE(store().verify_audit().ok);
}

}  // namespace
}  // namespace vigil::store::testing
