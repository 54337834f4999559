#include "store/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "store/store_error.h"

namespace vigil::store {
namespace {

using registry::PatientStatus;
using registry::TrialStatus;

[[noreturn]] void invalid(std::string message) {
  throw StoreError(StoreError::Code::invalid_argument, std::move(message));
}

bool is_final(TrialStatus s) {
  return s == TrialStatus::completed || s == TrialStatus::terminated;
}

bool trial_step_allowed(TrialStatus from, TrialStatus to) {
  if (is_final(from)) return false;
  if (to == TrialStatus::terminated) return true;
  switch (from) {
    case TrialStatus::planned:
      return to == TrialStatus::recruiting;
    case TrialStatus::recruiting:
      return to == TrialStatus::active || to == TrialStatus::suspended;
    case TrialStatus::active:
      return to == TrialStatus::completed || to == TrialStatus::suspended;
    case TrialStatus::suspended:
      return to == TrialStatus::recruiting || to == TrialStatus::active;
    case TrialStatus::completed:
    case TrialStatus::terminated:
      break;
  }
  return false;
}

bool patient_step_allowed(PatientStatus from, PatientStatus to) {
  switch (from) {
    case PatientStatus::screened:
      return to == PatientStatus::enrolled || to == PatientStatus::withdrawn;
    case PatientStatus::enrolled:
      return to == PatientStatus::withdrawn || to == PatientStatus::completed;
    case PatientStatus::withdrawn:
    case PatientStatus::completed:
      break;
  }
  return false;
}

}  // namespace

void check_trial_transition(std::string_view trial_id, TrialStatus from, TrialStatus to) {
  if (trial_step_allowed(from, to)) return;
  throw StoreError(StoreError::Code::invalid_transition,
                   fmt::format("trial '{}' cannot change status from {} to {}", trial_id,
                               registry::to_string(from), registry::to_string(to)));
}

void check_patient_transition(std::string_view patient_id, PatientStatus from, PatientStatus to) {
  if (patient_step_allowed(from, to)) return;
  throw StoreError(StoreError::Code::invalid_transition,
                   fmt::format("patient '{}' cannot change status from {} to {}", patient_id,
                               registry::to_string(from), registry::to_string(to)));
}

void check_trial_accepts_patients(const registry::Trial& trial) {
  if (trial.status == TrialStatus::recruiting || trial.status == TrialStatus::active) return;
  throw StoreError(StoreError::Code::invalid_transition,
                   fmt::format("trial '{}' is {}; patients can be screened or enrolled only while it is "
                               "recruiting or active",
                               trial.id, registry::to_string(trial.status)));
}

void check_initial_trial_status(const registry::Trial& trial) {
  if (!is_final(trial.status)) return;
  throw StoreError(
      StoreError::Code::invalid_transition,
      fmt::format("trial '{}' cannot be created as {}", trial.id, registry::to_string(trial.status)));
}

void check_id(std::string_view what, std::string_view id) {
  if (id.empty() || id.size() > 128) invalid(fmt::format("{} must be 1 to 128 bytes long", what));
  const bool control = std::any_of(id.begin(), id.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  if (control) invalid(fmt::format("{} must not contain control characters", what));
}

void check_text(std::string_view what, std::string_view text, std::size_t max) {
  if (text.size() > max) invalid(fmt::format("{} must be at most {} bytes long", what, max));
  if (text.find('\0') != std::string_view::npos) invalid(fmt::format("{} must not contain NUL", what));
}

void validate(const registry::Trial& t) {
  check_id("trial id", t.id);
  check_text("trial name", t.name);
  static constexpr std::array<std::string_view, 6> kPhases{"1", "1/2", "2", "2/3", "3", "4"};
  if (std::find(kPhases.begin(), kPhases.end(), t.phase) == kPhases.end()) {
    invalid("trial phase must be one of 1, 1/2, 2, 2/3, 3, 4");
  }
}

void validate(const registry::Site& s) {
  check_id("site id", s.id);
  check_id("trial id", s.trial_id);
  check_text("site name", s.name);
  check_text("timezone", s.timezone);
  check_text("principal investigator", s.principal_investigator);
  const auto& c = s.country;
  if (c.size() != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
    invalid("country must be an ISO 3166-1 alpha-2 code such as GB");
  }
}

void validate(const rules::PatientSettings& settings) {
  if (settings.spo2_scale != 1 && settings.spo2_scale != 2) invalid("spo2_scale must be 1 or 2");
}

void validate(const registry::Patient& p) {
  check_id("patient id", p.id);
  check_id("trial id", p.trial_id);
  check_id("site id", p.site_id);
  check_text("arm", p.arm);
  validate(p.settings);
  if (p.status != PatientStatus::screened && p.status != PatientStatus::enrolled) {
    throw StoreError(StoreError::Code::invalid_transition, fmt::format("patient '{}' cannot be created as {}",
                                                                       p.id, registry::to_string(p.status)));
  }
}

void validate(const Device& d) {
  check_id("device serial", d.serial);
  check_text("device type", d.type);
  if (d.type.empty()) invalid("device type is required");
  if (!d.patient_id.empty()) check_id("patient id", d.patient_id);
  check_id("device API key hash", d.api_key_hash);
}

void validate(const User& u) {
  check_id("user subject", u.subject);
  check_text("display name", u.display_name);
  for (const auto& site : u.site_ids) check_id("site id", site);
}

void validate(const AuditEntry& e) {
  check_text("actor", e.actor);
  if (e.actor.empty()) invalid("actor is required");
  check_id("audit action", e.action);
  check_id("audit entity type", e.entity_type);
  check_text("audit entity id", e.entity_id);
  constexpr std::size_t kValueMax = 1 << 20;
  for (const auto* value : {&e.old_value, &e.new_value}) {
    if (!*value) continue;
    check_text("audit value", **value, kValueMax);
    boost::system::error_code ec;
    (void)boost::json::parse(**value, ec);
    if (ec) invalid("audit old and new values must be JSON or null");
  }
  check_text("reason", e.reason);
}

void validate(const ChangeContext& ctx) {
  if (ctx.actor.empty()) invalid("actor is required");
  check_text("actor", ctx.actor);
  check_text("reason", ctx.reason);
}

void validate(const PageRequest& page) {
  if (page.limit == 0 || page.limit > kMaxPageLimit) {
    invalid(fmt::format("page limit must be between 1 and {}", kMaxPageLimit));
  }
}

}  // namespace vigil::store
