#include "app/live_registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace vigil::app {
namespace {

using registry::PatientStatus;

// One trial, one site, and the given patients (id and status), as protocol version `version`.
std::shared_ptr<const registry::MemoryRegistry> snapshot(
    int version, std::vector<std::pair<std::string, PatientStatus>> patients) {
  registry::RegistryContents c;
  c.trials.push_back(registry::Trial{"T1", "Trial one", "2", registry::TrialStatus::active});
  c.sites.push_back(registry::Site{"S01", "T1", "London", "GB", "Europe/London", "Dr A"});
  for (auto& [id, status] : patients) {
    registry::Patient p;
    p.id = id;
    p.trial_id = "T1";
    p.site_id = "S01";
    p.status = status;
    c.patients.push_back(std::move(p));
  }
  auto protocol = std::make_shared<rules::Protocol>();
  protocol->trial_id = "T1";
  protocol->version = version;
  c.protocols.push_back(std::move(protocol));
  return std::make_shared<const registry::MemoryRegistry>(std::move(c));
}

TEST(LiveRegistry, TheNextLookupOnTheSameThreadSeesAReplacement) {
  LiveRegistry live(snapshot(1, {{"P1", PatientStatus::enrolled}}));
  ASSERT_TRUE(live.patient("P1"));  // this thread now holds version 1
  EXPECT_EQ(live.patient("P1")->status, PatientStatus::enrolled);
  EXPECT_EQ(live.protocol("T1")->version, 1);
  EXPECT_FALSE(live.patient("P2"));

  live.replace(snapshot(2, {{"P1", PatientStatus::withdrawn}, {"P2", PatientStatus::enrolled}}));
  ASSERT_TRUE(live.patient("P1"));
  EXPECT_EQ(live.patient("P1")->status, PatientStatus::withdrawn);
  ASSERT_TRUE(live.patient("P2"));
  EXPECT_EQ(live.protocol("T1")->version, 2);
  EXPECT_EQ(live.patient_count(), 2U);
}

TEST(LiveRegistry, AnotherThreadSeesAReplacementMadeBeforeItsLookup) {
  LiveRegistry live(snapshot(1, {{"P1", PatientStatus::enrolled}}));
  std::optional<registry::Patient> before;
  std::optional<registry::Patient> after;
  std::thread reader([&] { before = live.patient("P2"); });  // caches version 1 on that thread
  reader.join();
  live.replace(snapshot(2, {{"P2", PatientStatus::enrolled}}));
  std::thread again([&] { after = live.patient("P2"); });
  again.join();
  EXPECT_FALSE(before);
  EXPECT_TRUE(after);
}

TEST(LiveRegistry, TwoRegistriesOnOneThreadKeepTheirOwnSnapshots) {
  LiveRegistry a(snapshot(1, {{"A", PatientStatus::enrolled}}));
  LiveRegistry b(snapshot(7, {{"B", PatientStatus::enrolled}}));
  for (int i = 0; i < 3; ++i) {  // alternating, so each lookup follows one on the other registry
    EXPECT_TRUE(a.patient("A"));
    EXPECT_FALSE(a.patient("B"));
    EXPECT_EQ(a.protocol("T1")->version, 1);
    EXPECT_TRUE(b.patient("B"));
    EXPECT_FALSE(b.patient("A"));
    EXPECT_EQ(b.protocol("T1")->version, 7);
  }
}

TEST(LiveRegistry, AWalkMayLookUpWhileASwapHappens) {
  LiveRegistry live(snapshot(1, {{"P1", PatientStatus::enrolled}, {"P2", PatientStatus::enrolled}}));
  std::vector<std::string> seen;
  bool replaced = false;
  live.for_each_patient([&](const registry::Patient& p) {
    // The first callback replaces the snapshot and looks up: the walk keeps its own snapshot, so
    // it still visits both of the old patients.
    if (!replaced) {
      live.replace(snapshot(2, {{"P3", PatientStatus::enrolled}}));
      replaced = true;
    }
    EXPECT_TRUE(live.patient("P3"));
    seen.push_back(p.id);
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"P1", "P2"}));
}

}  // namespace
}  // namespace vigil::app
