#include "store/rules.h"

#include <gtest/gtest.h>

#include "store/store_error.h"

namespace vigil::store {
namespace {

using registry::PatientStatus;
using registry::TrialStatus;

StoreError::Code code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StoreError& e) {
    return e.code();
  }
  ADD_FAILURE() << "no StoreError";
  return StoreError::Code::unavailable;
}

TEST(StoreRules, TransitionErrorsNameTheEntityAndBothStatuses) {
  try {
    check_patient_transition("P-7", PatientStatus::withdrawn, PatientStatus::enrolled);
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::invalid_transition);
    EXPECT_STREQ(e.what(), "patient 'P-7' cannot change status from withdrawn to enrolled");
  }
  try {
    check_trial_transition("NCT1", TrialStatus::completed, TrialStatus::terminated);
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_STREQ(e.what(), "trial 'NCT1' cannot change status from completed to terminated");
  }
  EXPECT_NO_THROW(check_trial_transition("NCT1", TrialStatus::planned, TrialStatus::terminated));
  EXPECT_EQ(code_of([] { check_trial_transition("T", TrialStatus::planned, TrialStatus::planned); }),
            StoreError::Code::invalid_transition);
}

TEST(StoreRules, IdsAndTextAreValidated) {
  EXPECT_NO_THROW(check_id("id", "x'); DROP TABLE t; --"));
  EXPECT_EQ(code_of([] { check_id("id", std::string(129, 'a')); }), StoreError::Code::invalid_argument);
  EXPECT_EQ(code_of([] { check_id("id", "a\tb"); }), StoreError::Code::invalid_argument);
  EXPECT_EQ(code_of([] { check_text("t", std::string("a\0b", 3)); }), StoreError::Code::invalid_argument);
  EXPECT_EQ(code_of([] { validate(PageRequest{"", 0}); }), StoreError::Code::invalid_argument);
  EXPECT_EQ(code_of([] { validate(ChangeContext{"", "why"}); }), StoreError::Code::invalid_argument);
  EXPECT_EQ(parse_role("data-manager"), Role::data_manager);
  EXPECT_EQ(to_string(Role::cra), "cra");
  EXPECT_FALSE(parse_role("root"));
}

}  // namespace
}  // namespace vigil::store
