#pragma once
// The behaviour every RegistryStore must show, as one value-parameterized GoogleTest suite. The
// TEST_Ps live in conformance_*_test.cpp; an implementation joins by instantiating the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, RegistryStoreConformance,
//                            ::testing::Values(StoreFactory{"sqlite", make_sqlite_store}),
//                            [](const auto& info) { return info.param.name; });
//
// The factory must return a store over a fresh, empty database with a field encryption key
// configured (masked identities are checked), or nullptr to skip (e.g. no PostgreSQL server).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "store/registry_store.h"

namespace vigil::store::testing {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<RegistryStore>()> make;
};

inline void PrintTo(const StoreFactory& factory, std::ostream* os) {
  *os << factory.name;
}

class RegistryStoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    if (!store_) GTEST_SKIP() << GetParam().name << " store is not available here";
  }

  RegistryStore& store() { return *store_; }

  static ChangeContext ctx(std::string actor = "alice@example.org", std::string reason = "set-up") {
    return ChangeContext{std::move(actor), std::move(reason)};
  }

  // A recruiting trial with `sites` sites named "<trial>-S1", "<trial>-S2", ...
  registry::Trial add_trial(const std::string& id, int sites = 1) {
    auto t = store().create_trial(registry::Trial{id, "Trial " + id, "2", registry::TrialStatus::recruiting},
                                  ctx());
    for (int i = 1; i <= sites; ++i) add_site(id + "-S" + std::to_string(i), id);
    return t;
  }

  registry::Site add_site(const std::string& id, const std::string& trial_id) {
    return store().create_site(registry::Site{id, trial_id, "Site " + id, "GB", "Europe/London", "Dr Who"},
                               ctx());
  }

  registry::Patient add_patient(const std::string& id, const std::string& trial_id,
                                const std::string& site_id) {
    registry::Patient p;
    p.id = id;
    p.trial_id = trial_id;
    p.site_id = site_id;
    p.status = registry::PatientStatus::screened;
    return store().create_patient(p, ctx());
  }

  // Every record of the trail, following cursors.
  std::vector<AuditRecord> audit(const AuditFilter& filter = {}) {
    std::vector<AuditRecord> all;
    PageRequest page{"", 50};
    do {
      auto p = store().list_audit(filter, page);
      all.insert(all.end(), p.items.begin(), p.items.end());
      page.cursor = p.next_cursor;
    } while (!page.cursor.empty());
    return all;
  }

  // Runs `fn` and returns the StoreError code it throws (fails the test if it does not throw).
  template <typename Fn>
  static std::optional<StoreError::Code> error_of(Fn&& fn, std::string* message = nullptr) {
    try {
      fn();
    } catch (const StoreError& e) {
      if (message) *message = e.what();
      return e.code();
    }
    ADD_FAILURE() << "expected a StoreError";
    return std::nullopt;
  }

 private:
  std::unique_ptr<RegistryStore> store_;
};

// Strings full of SQL and LIKE metacharacters and non-ASCII text, all valid ids and text.
inline std::vector<std::string> nasty_strings() {
  return {"O'Brien \"quoted\"", "x'); DROP TABLE patients; --", "100% _under_ \\back\\slash",
          "Zoë Łódź 患者 🫀", "semi;colon -- comment /* block */"};
}

}  // namespace vigil::store::testing
