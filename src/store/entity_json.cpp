#include "store/entity_json.h"

#include <boost/json.hpp>

namespace vigil::store {
namespace {

namespace json = boost::json;

json::value time_or_null(std::optional<TimePoint> t) {
  if (!t) return nullptr;
  return json::string(format_rfc3339(*t));
}

}  // namespace

std::string to_json(const registry::Trial& t) {
  json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  o["phase"] = t.phase;
  o["status"] = registry::to_string(t.status);
  return json::serialize(o);
}

std::string to_json(const registry::Site& s) {
  json::object o;
  o["id"] = s.id;
  o["trial_id"] = s.trial_id;
  o["name"] = s.name;
  o["country"] = s.country;
  o["timezone"] = s.timezone;
  o["principal_investigator"] = s.principal_investigator;
  return json::serialize(o);
}

std::string to_json(const registry::Patient& p) {
  json::object o;
  o["id"] = p.id;
  o["trial_id"] = p.trial_id;
  o["site_id"] = p.site_id;
  o["arm"] = p.arm;
  o["status"] = registry::to_string(p.status);
  const bool enrolled_ever = p.enrolled_at != TimePoint{};
  o["enrolled_at"] = time_or_null(enrolled_ever ? std::optional(p.enrolled_at) : std::nullopt);
  o["spo2_scale"] = p.settings.spo2_scale;
  return json::serialize(o);
}

std::string to_json(const Device& d) {
  json::object o;
  o["serial"] = d.serial;
  o["type"] = d.type;
  o["patient_id"] = d.patient_id.empty() ? json::value(nullptr) : json::value(d.patient_id);
  o["api_key_hash"] = d.api_key_hash;
  o["revoked"] = d.revoked;
  o["revoked_at"] = time_or_null(d.revoked_at);
  return json::serialize(o);
}

std::string to_json(const User& u) {
  json::object o;
  o["subject"] = u.subject;
  o["display_name"] = u.display_name;
  o["role"] = to_string(u.role);
  json::array sites;
  for (const auto& s : u.site_ids) sites.emplace_back(s);
  o["site_ids"] = std::move(sites);
  return json::serialize(o);
}

std::string to_json(const ProtocolVersion& p) {
  json::object o;
  o["trial_id"] = p.trial_id;
  o["version"] = p.version;
  o["author"] = p.author;
  o["reason"] = p.reason;
  o["created_at"] = format_rfc3339(p.created_at);
  o["document"] = p.document;
  return json::serialize(o);
}

std::string to_json(std::string_view patient_id, const PatientIdentity& masked) {
  json::object o;
  o["patient_id"] = patient_id;
  o["full_name"] = masked.full_name;
  o["national_id"] = masked.national_id;
  return json::serialize(o);
}

}  // namespace vigil::store
