#pragma once
// Authorisation decisions: pure functions of a Principal and the resource, with no HTTP or storage,
// so that every rule is unit-tested in one table (policy_test.cpp) and the middleware only maps a
// denial to 403.
//
// Who may do what:
// - Readings are submitted only by devices and patient apps, each for its own patient. Staff, admins
//   included, may not submit readings: source data must be attributable to the patient or device that
//   produced it (ALCOA+), and staff corrections go through an audited data-correction workflow.
// - Site data: investigators and CRAs read their own sites; data managers all sites (of their trial
//   when the principal is scoped to one); admins everything; devices and patients nothing.
// - Alerts are acknowledged/resolved by the site's investigators and CRAs, and by admins.
// - Management (users, devices, protocols, registry writes) and exports: admins only.
// - The audit trail: admins and CRAs (monitoring is a CRA's job).
//
// Decision::reason is for logs and the audit trail; never send it to clients verbatim, as it
// describes the principal's grants. Thread-safe.
#include <string>
#include <string_view>

#include "auth/principal.h"

namespace vigil::auth {

struct Decision {
  bool allowed = false;
  std::string reason;
  explicit operator bool() const { return allowed; }
};

// Whether the caller may submit readings at all (devices and patient apps), whatever the patient;
// may_submit_for adds that the patient is the caller's own.
Decision may_submit(const Principal& principal);
Decision may_submit_for(const Principal& principal, std::string_view patient_id);
Decision may_read_site(const Principal& principal, std::string_view trial_id, std::string_view site_id);
Decision may_act_on_alert(const Principal& principal, std::string_view site_id);
Decision may_manage(const Principal& principal);
Decision may_read_audit(const Principal& principal);
Decision may_export(const Principal& principal);

}  // namespace vigil::auth
