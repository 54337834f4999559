// Conformance: devices, staff users and protocol versions.
#include "store/conformance_test.h"

namespace vigil::store::testing {
namespace {

using Code = StoreError::Code;

Device device(std::string serial, std::string patient, std::string hash) {
  Device d;
  d.serial = std::move(serial);
  d.type = "pulse-oximeter";
  d.patient_id = std::move(patient);
  d.api_key_hash = std::move(hash);
  return d;
}

TEST_P(RegistryStoreConformance, DevicesAreFoundByKeyHashBoundAndRevoked) {
  add_trial("T1", 1);
  add_patient("P1", "T1", "T1-S1");
  add_patient("P2", "T1", "T1-S1");
  const auto created = store().create_device(device("D1", "P1", "hash-1"), ctx());
  EXPECT_FALSE(created.revoked);
  EXPECT_NE(created.created_at, TimePoint{});
  store().create_device(device("D2", "", "hash-2"), ctx());
  store().create_device(device("D3", "P1", "hash-3"), ctx());

  auto found = store().find_device_by_key_hash("hash-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->serial, "D1");
  EXPECT_EQ(found->patient_id, "P1");
  EXPECT_FALSE(store().find_device_by_key_hash("hash-9"));
  EXPECT_EQ(store().get_device("D2")->patient_id, "");

  EXPECT_EQ(error_of([&] { store().create_device(device("D1", "", "hash-7"), ctx()); }), Code::conflict);
  EXPECT_EQ(error_of([&] { store().create_device(device("D7", "", "hash-1"), ctx()); }), Code::conflict);
  EXPECT_EQ(error_of([&] { store().create_device(device("D8", "P9", "hash-8"), ctx()); }), Code::not_found);
  EXPECT_EQ(error_of([&] { store().create_device(device("D8", "", ""), ctx()); }), Code::invalid_argument);

  auto by_patient = store().list_devices(DeviceFilter{"P1"}, {"", 1});
  ASSERT_EQ(by_patient.items.size(), 1u);
  EXPECT_EQ(by_patient.items[0].serial, "D1");
  auto rest = store().list_devices(DeviceFilter{"P1"}, {by_patient.next_cursor, 1});
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].serial, "D3");
  EXPECT_TRUE(rest.next_cursor.empty());
  EXPECT_EQ(store().list_devices({}, {"", 10}).items.size(), 3u);

  EXPECT_EQ(store().bind_device("D2", "P2", ctx()).patient_id, "P2");
  EXPECT_EQ(store().get_device("D2")->patient_id, "P2");
  EXPECT_EQ(store().bind_device("D2", "", ctx()).patient_id, "");
  EXPECT_EQ(error_of([&] { store().bind_device("D2", "P9", ctx()); }), Code::not_found);
  EXPECT_EQ(error_of([&] { store().bind_device("D9", "P1", ctx()); }), Code::not_found);

  const auto revoked = store().revoke_device("D1", ctx());
  EXPECT_TRUE(revoked.revoked);
  ASSERT_TRUE(revoked.revoked_at);
  auto after = store().find_device_by_key_hash("hash-1");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->revoked) << "lookups report revoked devices so that auth can refuse them";
  EXPECT_EQ(error_of([&] { store().revoke_device("D1", ctx()); }), Code::invalid_transition);
  EXPECT_EQ(error_of([&] { store().bind_device("D1", "P2", ctx()); }), Code::invalid_transition);
  EXPECT_EQ(error_of([&] { store().create_device(device("D4", "", "hash-1"), ctx()); }), Code::conflict)
      << "a revoked key hash stays taken";
}

TEST_P(RegistryStoreConformance, UsersHaveRolesAndSiteMemberships) {
  add_trial("T1", 3);
  User u{"sub-1", "Dr A", Role::investigator, {"T1-S2", "T1-S1", "T1-S1"}};
  const auto created = store().create_user(u, ctx());
  EXPECT_EQ(created.site_ids, (std::vector<std::string>{"T1-S1", "T1-S2"}));
  store().create_user(User{"sub-2", "CRA B", Role::cra, {"T1-S2"}}, ctx());
  store().create_user(User{"sub-3", "DM C", Role::data_manager, {}}, ctx());
  store().create_user(User{"sub-4", "Admin D", Role::admin, {"T1-S3"}}, ctx());

  auto got = store().get_user("sub-1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->display_name, "Dr A");
  EXPECT_EQ(got->role, Role::investigator);
  EXPECT_EQ(got->site_ids, (std::vector<std::string>{"T1-S1", "T1-S2"}));
  EXPECT_EQ(store().get_user("sub-3")->role, Role::data_manager);
  EXPECT_FALSE(store().get_user("sub-9"));

  auto s2 = store().list_users(UserFilter{"T1-S2"}, {"", 1});
  ASSERT_EQ(s2.items.size(), 1u);
  EXPECT_EQ(s2.items[0].subject, "sub-1");
  auto s2b = store().list_users(UserFilter{"T1-S2"}, {s2.next_cursor, 1});
  ASSERT_EQ(s2b.items.size(), 1u);
  EXPECT_EQ(s2b.items[0].subject, "sub-2");
  EXPECT_TRUE(s2b.next_cursor.empty());
  EXPECT_EQ(store().list_users({}, {"", 10}).items.size(), 4u);

  EXPECT_EQ(error_of([&] { store().create_user(u, ctx()); }), Code::conflict);
  EXPECT_EQ(error_of([&] {
              store().create_user(User{"sub-5", "x", Role::cra, {"S404"}}, ctx());
            }),
            Code::not_found);
  EXPECT_FALSE(store().get_user("sub-5"));

  store().update_user(User{"sub-1", "Dr A. Smith", Role::admin, {"T1-S3"}}, ctx());
  got = store().get_user("sub-1");
  EXPECT_EQ(got->display_name, "Dr A. Smith");
  EXPECT_EQ(got->role, Role::admin);
  EXPECT_EQ(got->site_ids, (std::vector<std::string>{"T1-S3"}));
  EXPECT_EQ(store().list_users(UserFilter{"T1-S2"}, {"", 10}).items.size(), 1u);
  EXPECT_EQ(error_of([&] {
              store().update_user(User{"sub-9", "x", Role::cra, {}}, ctx());
            }),
            Code::not_found);

  store().delete_user("sub-4", ctx());
  EXPECT_FALSE(store().get_user("sub-4"));
  EXPECT_EQ(store().list_users(UserFilter{"T1-S3"}, {"", 10}).items.size(), 1u);
  EXPECT_EQ(error_of([&] { store().delete_user("sub-4", ctx()); }), Code::not_found);
}

TEST_P(RegistryStoreConformance, ProtocolVersionsIncrementPerTrial) {
  add_trial("T1", 0);
  add_trial("T2", 0);
  const std::string doc1 = "news2:\n  window: 1h\nthresholds: []  # 'quoted' ; DROP TABLE x\n";
  auto v1 = store().add_protocol_version("T1", doc1, ctx("dm@example.org", "initial protocol"));
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.author, "dm@example.org");
  EXPECT_EQ(v1.reason, "initial protocol");
  EXPECT_EQ(store().add_protocol_version("T2", "a: 1\n", ctx()).version, 1);
  auto v2 = store().add_protocol_version("T1", "news2:\n  window: 2h\n", ctx("cra", "amendment 2"));
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(store().add_protocol_version("T1", "x: 3\n", ctx()).version, 3);

  auto got = store().get_protocol_version("T1", 1);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->document, doc1);
  EXPECT_EQ(got->reason, "initial protocol");
  EXPECT_EQ(got->created_at, v1.created_at);
  EXPECT_FALSE(store().get_protocol_version("T1", 4));
  EXPECT_EQ(store().latest_protocol_version("T1")->version, 3);
  EXPECT_EQ(store().latest_protocol_version("T2")->version, 1);
  EXPECT_FALSE(store().latest_protocol_version("T9"));

  auto page = store().list_protocol_versions("T1", {"", 2});
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[1].version, 2);
  auto last = store().list_protocol_versions("T1", {page.next_cursor, 2});
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_EQ(last.items[0].author, "alice@example.org");
  EXPECT_TRUE(last.next_cursor.empty());
  EXPECT_EQ(error_of([&] { (void)store().list_protocol_versions("T1", {"v2", 2}); }), Code::invalid_argument);
  EXPECT_EQ(error_of([&] { store().add_protocol_version("T9", "a: 1\n", ctx()); }), Code::not_found);
  EXPECT_EQ(error_of([&] { store().add_protocol_version("T1", "", ctx()); }), Code::invalid_argument);
}

TEST_P(RegistryStoreConformance, MetacharactersInDeviceAndUserFieldsRoundTripVerbatim) {
  add_trial("T1", 1);
  int n = 0;
  for (const auto& s : nasty_strings()) {
    const std::string tag = std::to_string(n++);
    Device d = device(s + tag, "", s + "#hash" + tag);
    d.type = s;
    store().create_device(d, ctx(s, s));
    auto got = store().find_device_by_key_hash(s + "#hash" + tag);
    ASSERT_TRUE(got) << s;
    EXPECT_EQ(got->serial, s + tag);
    EXPECT_EQ(got->type, s);
    store().create_user(User{s + tag, s, Role::cra, {"T1-S1"}}, ctx(s, s));
    EXPECT_EQ(store().get_user(s + tag)->display_name, s);
    auto v = store().add_protocol_version("T1", s, ctx(s, s));
    EXPECT_EQ(store().get_protocol_version("T1", v.version)->document, s);
    EXPECT_EQ(v.author, s);
  }
}

}  // namespace
}  // namespace vigil::store::testing
