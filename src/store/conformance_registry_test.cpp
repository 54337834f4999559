// Conformance: trials and sites (CRUD, pagination, filters, transitions, duplicates, metacharacters).
#include "store/conformance_test.h"

namespace vigil::store::testing {
namespace {

using registry::Site;
using registry::Trial;
using registry::TrialStatus;
using Code = StoreError::Code;

TEST_P(RegistryStoreConformance, TrialsAreCreatedReadUpdatedAndListed) {
  const Trial t{"NCT09990001", "HEART-2", "2/3", TrialStatus::planned};
  EXPECT_EQ(store().create_trial(t, ctx()).id, t.id);
  auto got = store().get_trial(t.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "HEART-2");
  EXPECT_EQ(got->phase, "2/3");
  EXPECT_EQ(got->status, TrialStatus::planned);
  EXPECT_FALSE(store().get_trial("NCT00000000"));

  auto updated = store().update_trial(Trial{t.id, "HEART-2b", "3", TrialStatus::completed}, ctx());
  EXPECT_EQ(updated.name, "HEART-2b");
  EXPECT_EQ(updated.status, TrialStatus::planned) << "update_trial must not change the status";
  EXPECT_EQ(store().get_trial(t.id)->phase, "3");
  EXPECT_EQ(error_of([&] {
              store().update_trial(Trial{"NCT404", "x", "1", TrialStatus::planned}, ctx());
            }),
            Code::not_found);
}

TEST_P(RegistryStoreConformance, TrialListingPagesAndFiltersByStatus) {
  for (int i = 0; i < 7; ++i) {
    const auto status = i % 2 == 0 ? TrialStatus::planned : TrialStatus::recruiting;
    store().create_trial(Trial{"T" + std::to_string(i), "n", "1", status}, ctx());
  }
  std::vector<std::string> ids;
  PageRequest page{"", 3};
  int pages = 0;
  do {
    auto p = store().list_trials({}, page);
    EXPECT_LE(p.items.size(), 3u);
    for (const auto& t : p.items) ids.push_back(t.id);
    page.cursor = p.next_cursor;
    ++pages;
  } while (!page.cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<std::string>{"T0", "T1", "T2", "T3", "T4", "T5", "T6"}));

  auto recruiting = store().list_trials(TrialFilter{TrialStatus::recruiting}, {"", 100});
  ASSERT_EQ(recruiting.items.size(), 3u);
  EXPECT_EQ(recruiting.items[0].id, "T1");
  EXPECT_TRUE(recruiting.next_cursor.empty());
  EXPECT_TRUE(store().list_trials(TrialFilter{TrialStatus::terminated}, {"", 100}).items.empty());

  EXPECT_EQ(error_of([&] { (void)store().list_trials({}, {"", 0}); }), Code::invalid_argument);
  EXPECT_EQ(error_of([&] {
              (void)store().list_trials({}, {"", kMaxPageLimit + 1});
            }),
            Code::invalid_argument);
}

TEST_P(RegistryStoreConformance, EveryTrialTransitionIsCheckedAndNamesFromAndTo) {
  const std::vector<TrialStatus> all{TrialStatus::planned,   TrialStatus::recruiting,
                                     TrialStatus::active,    TrialStatus::suspended,
                                     TrialStatus::completed, TrialStatus::terminated};
  // The allowed steps; everything else must be refused.
  const std::set<std::pair<TrialStatus, TrialStatus>> allowed{
      {TrialStatus::planned, TrialStatus::recruiting},    {TrialStatus::recruiting, TrialStatus::active},
      {TrialStatus::active, TrialStatus::completed},      {TrialStatus::recruiting, TrialStatus::suspended},
      {TrialStatus::active, TrialStatus::suspended},      {TrialStatus::suspended, TrialStatus::recruiting},
      {TrialStatus::suspended, TrialStatus::active},      {TrialStatus::planned, TrialStatus::terminated},
      {TrialStatus::recruiting, TrialStatus::terminated}, {TrialStatus::active, TrialStatus::terminated},
      {TrialStatus::suspended, TrialStatus::terminated},
  };
  // Reach each `from` through allowed steps from planned.
  const std::map<TrialStatus, std::vector<TrialStatus>> path{
      {TrialStatus::planned, {}},
      {TrialStatus::recruiting, {TrialStatus::recruiting}},
      {TrialStatus::active, {TrialStatus::recruiting, TrialStatus::active}},
      {TrialStatus::suspended, {TrialStatus::recruiting, TrialStatus::suspended}},
      {TrialStatus::completed, {TrialStatus::recruiting, TrialStatus::active, TrialStatus::completed}},
      {TrialStatus::terminated, {TrialStatus::terminated}},
  };
  int n = 0;
  for (auto from : all) {
    for (auto to : all) {
      const std::string id = "TR" + std::to_string(n++);
      store().create_trial(Trial{id, "n", "1", TrialStatus::planned}, ctx());
      for (auto step : path.at(from)) store().set_trial_status(id, step, ctx());
      ASSERT_EQ(store().get_trial(id)->status, from);
      if (allowed.count({from, to})) {
        EXPECT_EQ(store().set_trial_status(id, to, ctx()).status, to);
        EXPECT_EQ(store().get_trial(id)->status, to);
      } else {
        std::string message;
        EXPECT_EQ(error_of([&] { store().set_trial_status(id, to, ctx()); }, &message),
                  Code::invalid_transition)
            << registry::to_string(from) << " -> " << registry::to_string(to);
        EXPECT_NE(message.find(std::string(registry::to_string(from))), std::string::npos) << message;
        EXPECT_NE(message.find(std::string(registry::to_string(to))), std::string::npos) << message;
        EXPECT_EQ(store().get_trial(id)->status, from);
      }
    }
  }
  EXPECT_EQ(error_of([&] { store().set_trial_status("nope", TrialStatus::active, ctx()); }), Code::not_found);
  EXPECT_EQ(error_of([&] {
              store().create_trial(Trial{"TX", "n", "1", TrialStatus::completed}, ctx());
            }),
            Code::invalid_transition);
}

TEST_P(RegistryStoreConformance, DuplicateIdsConflictAndBadFieldsAreRejected) {
  add_trial("T1");
  EXPECT_EQ(error_of([&] { add_trial("T1", 0); }), Code::conflict);
  EXPECT_EQ(error_of([&] { add_site("T1-S1", "T1"); }), Code::conflict);
  EXPECT_EQ(error_of([&] { add_site("S9", "T404"); }), Code::not_found);
  EXPECT_EQ(error_of([&] {
              store().create_trial(Trial{"T2", "n", "5", TrialStatus::planned}, ctx());
            }),
            Code::invalid_argument);
  EXPECT_EQ(error_of([&] {
              store().create_trial(Trial{"", "n", "1", TrialStatus::planned}, ctx());
            }),
            Code::invalid_argument);
  EXPECT_EQ(error_of([&] {
              store().create_trial(Trial{"T\n2", "n", "1", TrialStatus::planned}, ctx());
            }),
            Code::invalid_argument);
  EXPECT_EQ(error_of([&] {
              store().create_trial(Trial{"T3", "n", "1", TrialStatus::planned}, ctx("", ""));
            }),
            Code::invalid_argument);
  EXPECT_EQ(error_of([&] {
              store().create_site(Site{"S2", "T1", "n", "Britain", "Europe/London", "pi"}, ctx());
            }),
            Code::invalid_argument);
  EXPECT_FALSE(store().get_trial("T2"));
  EXPECT_FALSE(store().get_site("S2"));
}

TEST_P(RegistryStoreConformance, SitesAreCreatedUpdatedAndFilteredByTrial) {
  add_trial("A", 3);
  add_trial("B", 2);
  auto s = store().get_site("A-S2");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->trial_id, "A");
  EXPECT_EQ(s->country, "GB");
  EXPECT_EQ(s->principal_investigator, "Dr Who");

  auto page1 = store().list_sites(SiteFilter{"A"}, {"", 2});
  ASSERT_EQ(page1.items.size(), 2u);
  EXPECT_EQ(page1.items[0].id, "A-S1");
  auto page2 = store().list_sites(SiteFilter{"A"}, {page1.next_cursor, 2});
  ASSERT_EQ(page2.items.size(), 1u);
  EXPECT_EQ(page2.items[0].id, "A-S3");
  EXPECT_TRUE(page2.next_cursor.empty());
  EXPECT_EQ(store().list_sites({}, {"", 100}).items.size(), 5u);
  EXPECT_TRUE(store().list_sites(SiteFilter{"C"}, {"", 100}).items.empty());

  Site changed{"A-S1", "A", "Royal Infirmary", "FR", "Europe/Paris", "Dr Foster"};
  store().update_site(changed, ctx());
  auto after = store().get_site("A-S1");
  EXPECT_EQ(after->name, "Royal Infirmary");
  EXPECT_EQ(after->timezone, "Europe/Paris");
  changed.trial_id = "B";
  EXPECT_EQ(error_of([&] { store().update_site(changed, ctx()); }), Code::invalid_argument);
}

TEST_P(RegistryStoreConformance, MetacharactersInTrialAndSiteFieldsRoundTripVerbatim) {
  int n = 0;
  for (const auto& s : nasty_strings()) {
    const std::string trial_id = s + "#" + std::to_string(n++);
    store().create_trial(Trial{trial_id, s, "1/2", TrialStatus::recruiting}, ctx(s, s));
    store().create_site(Site{trial_id + "/site", trial_id, s, "DE", s, s}, ctx(s, s));
    auto t = store().get_trial(trial_id);
    ASSERT_TRUE(t) << s;
    EXPECT_EQ(t->name, s);
    auto site = store().get_site(trial_id + "/site");
    ASSERT_TRUE(site) << s;
    EXPECT_EQ(site->name, s);
    EXPECT_EQ(site->timezone, s);
    EXPECT_EQ(site->principal_investigator, s);
    auto listed = store().list_sites(SiteFilter{trial_id}, {"", 10});
    ASSERT_EQ(listed.items.size(), 1u) << s;
    EXPECT_EQ(listed.items[0].trial_id, trial_id);
  }
  EXPECT_EQ(store().list_trials({}, {"", 100}).items.size(), nasty_strings().size());
}

}  // namespace
}  // namespace vigil::store::testing
