#pragma once
// The registry's rules, shared by every RegistryStore implementation so that they accept and refuse
// exactly the same things: status transitions and field validation. Pure and thread-safe.
//
// Every function throws StoreError (invalid_transition or invalid_argument) with a client-safe message
// and returns normally when the change is allowed.
#include <string_view>

#include "registry/registry.h"
#include "store/entities.h"

namespace vigil::store {

// planned -> recruiting -> active -> completed; recruiting|active <-> suspended; any status but
// completed and terminated -> terminated. A no-op change (from == to) is refused too.
void check_trial_transition(std::string_view trial_id, registry::TrialStatus from, registry::TrialStatus to);
// screened -> enrolled -> withdrawn|completed; screened -> withdrawn. Withdrawn and completed are final.
void check_patient_transition(std::string_view patient_id, registry::PatientStatus from,
                              registry::PatientStatus to);
// Screening and enrolment happen only while the trial is recruiting (or active, the state protocol
// files use for running trials).
void check_trial_accepts_patients(const registry::Trial& trial);
// A trial may be created in any status that is not final (imports of running trials).
void check_initial_trial_status(const registry::Trial& trial);

// Ids: 1..128 bytes, no ASCII control characters. Everything else (quotes, '%', unicode) is data.
void check_id(std::string_view what, std::string_view id);
// Free text: at most `max` bytes, no NUL.
void check_text(std::string_view what, std::string_view text, std::size_t max = 4096);

void validate(const registry::Trial& trial);  // id, name, phase in 1, 1/2, 2, 2/3, 3, 4
void validate(const registry::Site& site);    // ids, texts, country as ISO 3166-1 alpha-2
void validate(const registry::Patient& patient);
void validate(const rules::PatientSettings& settings);  // spo2_scale 1 or 2
void validate(const Device& device);
void validate(const User& user);
void validate(const AuditEntry& entry);   // old/new values must parse as JSON
void validate(const ChangeContext& ctx);  // actor required
void validate(const PageRequest& page);

}  // namespace vigil::store
