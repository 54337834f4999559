#include "auth/policy.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::auth {
namespace {

Decision allow(std::string reason) {
  return Decision{true, std::move(reason)};
}
Decision deny(std::string reason) {
  return Decision{false, std::move(reason)};
}

bool works_at(const Principal& p, std::string_view site_id) {
  return !site_id.empty() && std::find(p.sites.begin(), p.sites.end(), site_id) != p.sites.end();
}

Decision site_staff_decision(const Principal& p, std::string_view site_id) {
  if (works_at(p, site_id)) return allow(fmt::format("{} works at site {}", to_string(p.role), site_id));
  return deny(fmt::format("{} {} is not assigned to site {}", to_string(p.role), p.subject, site_id));
}

Decision admin_only(const Principal& p, std::string_view action) {
  if (p.role == Role::admin) return allow(fmt::format("admin may {}", action));
  return deny(fmt::format("only admins may {}; {} is {}", action, p.subject, to_string(p.role)));
}

Decision staff_may_not_submit(const Principal& p) {
  return deny(fmt::format("{} is staff ({}); readings come only from devices and patients", p.subject,
                          to_string(p.role)));
}

bool submits_readings(Role role) {
  return role == Role::device || role == Role::patient;
}

}  // namespace

Decision may_submit(const Principal& p) {
  if (!submits_readings(p.role)) return staff_may_not_submit(p);
  return allow(fmt::format("{} may submit readings", to_string(p.role)));
}

Decision may_submit_for(const Principal& p, std::string_view patient_id) {
  // Not through may_submit: an intake request formats one reason, not two.
  if (!submits_readings(p.role)) return staff_may_not_submit(p);
  if (!p.patient_id.empty() && p.patient_id == patient_id) {
    // A constant reason: this is every accepted reading's path, and nothing shows an allowed reason.
    return allow(p.role == Role::device ? "device posts for its own patient" : "patient posts for themself");
  }
  return deny(fmt::format("{} {} is bound to patient '{}', not '{}'", to_string(p.role), p.subject,
                          p.patient_id, patient_id));
}

Decision may_read_site(const Principal& p, std::string_view trial_id, std::string_view site_id) {
  switch (p.role) {
    case Role::investigator:
    case Role::cra:
      return site_staff_decision(p, site_id);
    case Role::data_manager:
      if (p.trial_id.empty()) return allow("data-manager with access to all trials");
      if (p.trial_id == trial_id) return allow(fmt::format("data-manager of trial {}", trial_id));
      return deny(
          fmt::format("data-manager {} is scoped to trial {}, not {}", p.subject, p.trial_id, trial_id));
    case Role::admin:
      return allow("admin reads every site");
    case Role::device:
    case Role::patient:
      break;
  }
  return deny(fmt::format("{} principals do not read site data", to_string(p.role)));
}

Decision may_act_on_alert(const Principal& p, std::string_view site_id) {
  switch (p.role) {
    case Role::investigator:
    case Role::cra:
      return site_staff_decision(p, site_id);
    case Role::admin:
      return allow("admin acts on every alert");
    case Role::data_manager:
    case Role::device:
    case Role::patient:
      break;
  }
  return deny(fmt::format("{} principals do not acknowledge or resolve alerts", to_string(p.role)));
}

Decision may_manage(const Principal& p) {
  return admin_only(p, "manage users, devices, protocols and the registry");
}

Decision may_read_audit(const Principal& p) {
  if (p.role == Role::admin || p.role == Role::cra)
    return allow(fmt::format("{} reads the audit trail", to_string(p.role)));
  return deny(
      fmt::format("only admins and CRAs read the audit trail; {} is {}", p.subject, to_string(p.role)));
}

Decision may_export(const Principal& p) {
  return admin_only(p, "export data");
}

}  // namespace vigil::auth
