// Every role against every action, in one table: a change to who may do what shows up as a one-cell
// diff here.
#include "auth/policy.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>

namespace vigil::auth {
namespace {

// Each principal works at site-1 of trial-1, or is bound to patient P-1.
Principal principal_for(Role role) {
  switch (role) {
    case Role::investigator:
      return {"inv-1", role, {"site-1"}, "", ""};
    case Role::cra:
      return {"cra-1", role, {"site-1", "site-9"}, "", ""};
    case Role::data_manager:
      return {"dm-1", role, {}, "", "trial-1"};
    case Role::admin:
      return {"admin-1", role, {}, "", ""};
    case Role::device:
      return {"dev-1", role, {}, "P-1", ""};
    case Role::patient:
      return {"app-1", role, {}, "P-1", ""};
  }
  return {};
}

struct Action {
  const char* name;
  std::function<Decision(const Principal&)> decide;
};

const Action kActions[] = {
    {"submit for own patient", [](const Principal& p) { return may_submit_for(p, "P-1"); }},
    {"submit for another patient", [](const Principal& p) { return may_submit_for(p, "P-2"); }},
    {"read own site", [](const Principal& p) { return may_read_site(p, "trial-1", "site-1"); }},
    {"read another site", [](const Principal& p) { return may_read_site(p, "trial-1", "site-2"); }},
    {"read another trial's site", [](const Principal& p) { return may_read_site(p, "trial-2", "site-3"); }},
    {"act on own site's alert", [](const Principal& p) { return may_act_on_alert(p, "site-1"); }},
    {"act on another site's alert", [](const Principal& p) { return may_act_on_alert(p, "site-2"); }},
    {"manage", [](const Principal& p) { return may_manage(p); }},
    {"read audit", [](const Principal& p) { return may_read_audit(p); }},
    {"export", [](const Principal& p) { return may_export(p); }},
};
constexpr std::size_t kActionCount = std::size(kActions);

// One column per kActions entry, in order (Y allowed, . denied): submit own / other patient,
// read own site / another site / another trial's site, act on own / another site's alert, manage,
// read audit, export.
// clang-format off
const std::map<Role, std::string> kExpected = {
    {Role::investigator, "..Y..Y...."},
    {Role::cra,          "..Y..Y..Y."},
    {Role::data_manager, "..YY......"},
    {Role::admin,        "..YYYYYYYY"},
    {Role::device,       "Y........."},
    {Role::patient,      "Y........."},
};
// clang-format on

TEST(Policy, EveryRoleAgainstEveryAction) {
  ASSERT_EQ(kExpected.size(), 6u);  // every Role
  for (const auto& [role, row] : kExpected) {
    ASSERT_EQ(row.size(), kActionCount);
    const Principal p = principal_for(role);
    for (std::size_t i = 0; i < kActionCount; ++i) {
      const Decision d = kActions[i].decide(p);
      EXPECT_EQ(d.allowed, row[i] == 'Y') << to_string(role) << " / " << kActions[i].name << ": " << d.reason;
      EXPECT_FALSE(d.reason.empty()) << to_string(role) << " / " << kActions[i].name;
      EXPECT_EQ(static_cast<bool>(d), d.allowed);
    }
  }
}

TEST(Policy, UnscopedDataManagerReadsEveryTrial) {
  Principal dm = principal_for(Role::data_manager);
  dm.trial_id.clear();
  EXPECT_TRUE(may_read_site(dm, "trial-2", "site-3").allowed);
  EXPECT_FALSE(may_act_on_alert(dm, "site-3").allowed);
}

TEST(Policy, EmptyIdentifiersNeverMatch) {
  Principal device = principal_for(Role::device);
  device.patient_id.clear();
  EXPECT_FALSE(may_submit_for(device, "").allowed);
  Principal inv = principal_for(Role::investigator);
  inv.sites.push_back("");
  EXPECT_FALSE(may_read_site(inv, "trial-1", "").allowed);
  EXPECT_FALSE(may_act_on_alert(inv, "").allowed);
}

TEST(Policy, StaffCannotSubmitEvenForTheirOwnSitesPatients) {
  for (const Role role : {Role::investigator, Role::cra, Role::data_manager, Role::admin}) {
    Principal p = principal_for(role);
    p.patient_id = "P-1";  // even if a staff principal somehow carries a patient binding
    const Decision d = may_submit_for(p, "P-1");
    EXPECT_FALSE(d.allowed) << to_string(role);
    EXPECT_NE(d.reason.find("staff"), std::string::npos) << d.reason;
    EXPECT_FALSE(may_submit(p).allowed) << to_string(role);
  }
}

TEST(Policy, DevicesAndPatientAppsMaySubmitWhateverThePatientIsUntilItIsNamed) {
  for (const Role role : {Role::device, Role::patient}) {
    const Principal p = principal_for(role);
    EXPECT_TRUE(may_submit(p).allowed) << to_string(role);
    EXPECT_FALSE(may_submit_for(p, "P-2").allowed) << to_string(role);
  }
}

}  // namespace
}  // namespace vigil::auth
