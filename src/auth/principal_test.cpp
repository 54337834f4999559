#include "auth/principal.h"

#include <gtest/gtest.h>

namespace vigil::auth {
namespace {

constexpr Role kAllRoles[] = {Role::investigator, Role::cra,    Role::data_manager,
                              Role::admin,        Role::device, Role::patient};

TEST(Role, NamesRoundTrip) {
  for (const Role role : kAllRoles) EXPECT_EQ(parse_role(to_string(role)), role);
  EXPECT_EQ(to_string(Role::data_manager), "data-manager");
  EXPECT_EQ(parse_role("data_manager"), std::nullopt);
  EXPECT_EQ(parse_role("Admin"), std::nullopt);
  EXPECT_EQ(parse_role(""), std::nullopt);
}

TEST(Principal, FromStaffClaims) {
  Claims c;
  c.subject = "u-9";
  c.role = "cra";
  c.sites = {"site-1", "site-4"};
  const auto p = principal_from_claims(c);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Principal{"u-9", Role::cra, {"site-1", "site-4"}, "", ""}));
}

TEST(Principal, PatientTokensMustNameTheirPatient) {
  Claims c;
  c.subject = "app-3";
  c.role = "patient";
  EXPECT_EQ(principal_from_claims(c), std::nullopt);
  c.patient = "P-0042";
  ASSERT_TRUE(principal_from_claims(c));
  EXPECT_EQ(principal_from_claims(c)->patient_id, "P-0042");
  c.role = "superuser";
  EXPECT_EQ(principal_from_claims(c), std::nullopt);
}

}  // namespace
}  // namespace vigil::auth
