// Conformance: encrypted patient identities and metacharacters in patient fields.
#include "store/conformance_test.h"

namespace vigil::store::testing {
namespace {

using registry::Patient;
using registry::PatientStatus;
using Code = StoreError::Code;

TEST_P(RegistryStoreConformance, IdentitiesAreReturnedOnlyMasked) {
  add_trial("T1", 1);
  add_patient("P1", "T1", "T1-S1");
  add_patient("P2", "T1", "T1-S1");
  EXPECT_FALSE(store().masked_patient_identity("P1"));
  store().set_patient_identity("P1", PatientIdentity{"Maria Fernandez", "3201199001011230001X"}, ctx());
  auto masked = store().masked_patient_identity("P1");
  ASSERT_TRUE(masked);
  EXPECT_EQ(masked->national_id, "3201************001X");
  EXPECT_EQ(masked->full_name, "Mari*******ndez");
  store().set_patient_identity("P1", PatientIdentity{"Maria F. Lopez", "AB12"}, ctx());
  EXPECT_EQ(store().masked_patient_identity("P1")->national_id, "****");
  EXPECT_FALSE(store().masked_patient_identity("P2"));
  EXPECT_EQ(error_of([&] { (void)store().masked_patient_identity("P9"); }), Code::not_found);
  EXPECT_EQ(error_of([&] { store().set_patient_identity("P9", {"a", "b"}, ctx()); }), Code::not_found);
  for (const auto& r : audit()) {
    for (const auto& v : {r.old_value, r.new_value}) {
      if (!v) continue;
      EXPECT_EQ(v->find("3201199001011230001X"), std::string::npos) << "plaintext in the audit trail";
      EXPECT_EQ(v->find("Fernandez"), std::string::npos) << "plaintext in the audit trail";
    }
  }
}

TEST_P(RegistryStoreConformance, MetacharactersInPatientFieldsRoundTripVerbatim) {
  add_trial("T1", 0);
  for (const auto& s : nasty_strings()) {
    add_site(s, "T1");
    Patient p;
    p.id = s + "/patient";
    p.trial_id = "T1";
    p.site_id = s;
    p.arm = s;
    p.status = PatientStatus::screened;
    store().create_patient(p, ctx(s, s));
    store().enrol_patient(p.id, Enrolment{s + "!", std::nullopt}, ctx(s, s));
    auto got = store().get_patient(p.id);
    ASSERT_TRUE(got) << s;
    EXPECT_EQ(got->site_id, s);
    EXPECT_EQ(got->arm, s + "!");
    auto listed = store().list_patients(PatientFilter{"T1", s, PatientStatus::enrolled}, {"", 10});
    ASSERT_EQ(listed.items.size(), 1u) << s;
    EXPECT_EQ(listed.items[0].id, p.id);
  }
  // '%' and '_' must not act as wildcards anywhere.
  EXPECT_TRUE(store().list_patients(PatientFilter{"T1", "%", {}}, {"", 10}).items.empty());
  EXPECT_TRUE(store().list_patients(PatientFilter{"T_", {}, {}}, {"", 10}).items.empty());
  EXPECT_EQ(store().counts("T1").counts.enrolled, static_cast<std::int64_t>(nasty_strings().size()));
}

}  // namespace
}  // namespace vigil::store::testing
