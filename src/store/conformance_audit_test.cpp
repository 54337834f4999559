// Conformance: the audit trail written with every change, external events, listing and verification.
#include <boost/json.hpp>

#include "store/audit_chain.h"
#include "store/conformance_test.h"

namespace vigil::store::testing {
namespace {

namespace json = boost::json;
using registry::PatientStatus;
using registry::TrialStatus;
using Code = StoreError::Code;

json::value parse(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return json::parse(*text);
}

TEST_P(RegistryStoreConformance, EveryChangeAppendsOneRecordWithOldAndNewValues) {
  EXPECT_TRUE(audit().empty());
  store().create_trial(registry::Trial{"T1", "HEART", "2", TrialStatus::recruiting},
                       ctx("alice", "new trial"));
  add_site("S1", "T1");
  add_patient("P1", "T1", "S1");
  store().enrol_patient("P1", Enrolment{"B", std::nullopt}, ctx("bob", "consent signed"));
  store().set_patient_status("P1", PatientStatus::withdrawn, ctx("bob", "withdrew consent"));
  store().set_trial_status("T1", TrialStatus::active, ctx("carol", "recruitment closed"));

  const auto all = audit();
  ASSERT_EQ(all.size(), 6u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_NE(all[i].at, TimePoint{});
    EXPECT_EQ(all[i].hash, record_hash(all[i]));
    EXPECT_EQ(all[i].prev_hash, i == 0 ? kGenesisHash : all[i - 1].hash);
  }
  EXPECT_EQ(all[0].action, "trial.create");
  EXPECT_EQ(all[0].actor, "alice");
  EXPECT_EQ(all[0].reason, "new trial");
  EXPECT_FALSE(all[0].old_value);
  EXPECT_EQ(parse(all[0].new_value).at("name"), "HEART");
  EXPECT_EQ(all[1].entity_type, "site");
  EXPECT_EQ(all[2].action, "patient.create");

  const auto& enrol = all[3];
  EXPECT_EQ(enrol.action, "patient.enrol");
  EXPECT_EQ(enrol.entity_type, "patient");
  EXPECT_EQ(enrol.entity_id, "P1");
  EXPECT_EQ(enrol.actor, "bob");
  EXPECT_EQ(enrol.reason, "consent signed");
  EXPECT_EQ(parse(enrol.old_value).at("status"), "screened");
  EXPECT_TRUE(parse(enrol.old_value).at("enrolled_at").is_null());
  EXPECT_EQ(parse(enrol.new_value).at("status"), "enrolled");
  EXPECT_EQ(parse(enrol.new_value).at("arm"), "B");
  EXPECT_TRUE(parse(enrol.new_value).at("enrolled_at").is_string());

  EXPECT_EQ(all[4].action, "patient.withdraw");
  EXPECT_EQ(parse(all[4].old_value).at("status"), "enrolled");
  EXPECT_EQ(parse(all[4].new_value).at("status"), "withdrawn");
  EXPECT_EQ(parse(all[5].old_value).at("status"), "recruiting");
  EXPECT_EQ(parse(all[5].new_value).at("status"), "active");
  EXPECT_TRUE(store().verify_audit().ok);
}

TEST_P(RegistryStoreConformance, RefusedChangesLeaveNoAuditRecord) {
  add_trial("T1", 1);
  add_patient("P1", "T1", "T1-S1");
  store().set_patient_status("P1", PatientStatus::withdrawn, ctx());
  const auto before = audit().size();
  EXPECT_EQ(error_of([&] { store().enrol_patient("P1", Enrolment{}, ctx()); }), Code::invalid_transition);
  EXPECT_EQ(error_of([&] { add_patient("P1", "T1", "T1-S1"); }), Code::conflict);
  EXPECT_EQ(error_of([&] { store().set_trial_status("T1", TrialStatus::planned, ctx()); }),
            Code::invalid_transition);
  EXPECT_EQ(audit().size(), before);
}

TEST_P(RegistryStoreConformance, UpdatesDeletesAndDevicesAreAudited) {
  add_trial("T1", 1);
  add_patient("P1", "T1", "T1-S1");
  store().create_user(User{"u1", "Ann", Role::cra, {"T1-S1"}}, ctx());
  store().delete_user("u1", ctx("admin", "left the study"));
  Device d;
  d.serial = "D1";
  d.type = "bp-cuff";
  d.api_key_hash = "h1";
  store().create_device(d, ctx());
  store().bind_device("D1", "P1", ctx());
  store().revoke_device("D1", ctx("admin", "lost"));
  store().update_patient_settings("P1", rules::PatientSettings{2}, ctx());
  store().add_protocol_version("T1", "a: 1\n", ctx("dm", "first"));

  auto user_trail = audit(AuditFilter{"user", "u1"});
  ASSERT_EQ(user_trail.size(), 2u);
  EXPECT_EQ(user_trail[1].action, "user.delete");
  EXPECT_EQ(parse(user_trail[1].old_value).at("role"), "cra");
  EXPECT_FALSE(user_trail[1].new_value);

  auto device_trail = audit(AuditFilter{"device", "D1"});
  ASSERT_EQ(device_trail.size(), 3u);
  EXPECT_EQ(device_trail[1].action, "device.bind");
  EXPECT_TRUE(parse(device_trail[1].old_value).at("patient_id").is_null());
  EXPECT_EQ(parse(device_trail[1].new_value).at("patient_id"), "P1");
  EXPECT_EQ(device_trail[2].action, "device.revoke");
  EXPECT_EQ(parse(device_trail[2].new_value).at("revoked"), true);

  auto patient_trail = audit(AuditFilter{"patient", "P1"});
  ASSERT_EQ(patient_trail.size(), 2u);
  EXPECT_EQ(parse(patient_trail[1].old_value).at("spo2_scale"), 1);
  EXPECT_EQ(parse(patient_trail[1].new_value).at("spo2_scale"), 2);

  auto protocol_trail = audit(AuditFilter{"protocol", "T1"});
  ASSERT_EQ(protocol_trail.size(), 1u);
  EXPECT_EQ(parse(protocol_trail[0].new_value).at("version"), 1);
  EXPECT_EQ(parse(protocol_trail[0].new_value).at("document"), "a: 1\n");
  EXPECT_TRUE(store().verify_audit().ok);
}

TEST_P(RegistryStoreConformance, ExternalEventsJoinTheChainAndListingFilters) {
  add_trial("T1", 0);
  const auto rec =
      store().append_audit(AuditEntry{"nurse-7", "alert.acknowledge", "alert", "A-17", R"({"state":"open"})",
                                      R"({"state":"acknowledged"})", "called the patient"});
  EXPECT_EQ(rec.seq, 2);
  EXPECT_EQ(rec.hash, record_hash(rec));
  store().append_audit(
      AuditEntry{"anonymous", "auth.denied", "device", "D9", std::nullopt, std::nullopt, "revoked key"});
  for (int i = 0; i < 5; ++i) {
    store().append_audit(AuditEntry{"system:export", "export.create", "alert", "A-" + std::to_string(i),
                                    std::nullopt, "{}", ""});
  }
  EXPECT_EQ(error_of([&] {
              store().append_audit(AuditEntry{"", "x.y", "alert", "A", {}, {}, ""});
            }),
            Code::invalid_argument);
  EXPECT_EQ(error_of([&] {
              store().append_audit(AuditEntry{"x", "x.y", "alert", "A", "{not json", {}, ""});
            }),
            Code::invalid_argument);

  auto alerts = audit(AuditFilter{"alert", std::nullopt});
  ASSERT_EQ(alerts.size(), 6u);
  EXPECT_EQ(alerts[0].reason, "called the patient");
  EXPECT_EQ(*alerts[0].old_value, R"({"state":"open"})");
  auto one = audit(AuditFilter{std::nullopt, "A-17"});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].actor, "nurse-7");

  auto first = store().list_audit({}, {"", 3});
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.items[2].seq, 3);
  auto second = store().list_audit({}, {first.next_cursor, 3});
  EXPECT_EQ(second.items[0].seq, 4);
  EXPECT_EQ(error_of([&] { (void)store().list_audit({}, {"abc", 3}); }), Code::invalid_argument);

  const auto result = store().verify_audit();
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_EQ(result.checked, 8);
  EXPECT_EQ(result.broken_seq, 0);
}

TEST_P(RegistryStoreConformance, MetacharactersInAuditFieldsRoundTripVerbatim) {
  for (const auto& s : nasty_strings()) {
    const std::string as_json = json::serialize(json::value(s));
    const auto rec = store().append_audit(AuditEntry{s, "export.create", "export", s, as_json, as_json, s});
    auto got = audit(AuditFilter{"export", s});
    ASSERT_EQ(got.size(), 1u) << s;
    EXPECT_EQ(got[0].actor, s);
    EXPECT_EQ(got[0].old_value, as_json);
    EXPECT_EQ(parse(got[0].new_value), json::value(s));
    EXPECT_EQ(got[0].reason, s);
    EXPECT_EQ(got[0].hash, rec.hash);
  }
  EXPECT_TRUE(store().verify_audit().ok);
}

}  // namespace
}  // namespace vigil::store::testing
