#include "alerts/alert.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <random>

namespace vigil::alerts {
namespace json = boost::json;

std::string_view to_string(AlertStatus s) {
  switch (s) {
    case AlertStatus::open:
      return "open";
    case AlertStatus::acknowledged:
      return "acknowledged";
    case AlertStatus::resolved:
      return "resolved";
  }
  return "open";
}

std::optional<AlertStatus> parse_alert_status(std::string_view text) {
  if (text == "open") return AlertStatus::open;
  if (text == "acknowledged") return AlertStatus::acknowledged;
  if (text == "resolved") return AlertStatus::resolved;
  return std::nullopt;
}

std::string_view to_string(AlertEventKind k) {
  switch (k) {
    case AlertEventKind::opened:
      return "opened";
    case AlertEventKind::updated:
      return "updated";
    case AlertEventKind::acknowledged:
      return "acknowledged";
    case AlertEventKind::resolved:
      return "resolved";
  }
  return "opened";
}

std::optional<AlertEventKind> parse_alert_event_kind(std::string_view text) {
  if (text == "opened") return AlertEventKind::opened;
  if (text == "updated") return AlertEventKind::updated;
  if (text == "acknowledged") return AlertEventKind::acknowledged;
  if (text == "resolved") return AlertEventKind::resolved;
  return std::nullopt;
}

namespace {

json::value time_or_null(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return json::string(format_rfc3339(*t));
}

json::value change_or_null(const std::optional<StateChange>& c) {
  if (!c) return nullptr;
  return json::object{{"by", c->actor}, {"at", format_rfc3339(c->at)}, {"note", c->note}};
}

// Small readers for alert_from_json: each returns false when the field is absent or of the wrong
// type, so a damaged snapshot is rejected as a whole instead of half-read.
bool read(const json::object& o, std::string_view key, std::string& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return false;
  out.assign(v->get_string().begin(), v->get_string().end());
  return true;
}

bool read(const json::object& o, std::string_view key, TimePoint& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return false;
  return parse_rfc3339(std::string_view(v->get_string()), out);
}

bool read(const json::object& o, std::string_view key, std::optional<TimePoint>& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_null()) {
    out.reset();
    return true;
  }
  TimePoint t;
  if (!read(o, key, t)) return false;
  out = t;
  return true;
}

bool read(const json::object& o, std::string_view key, std::optional<StateChange>& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_null()) {
    out.reset();
    return true;
  }
  if (!v->is_object()) return false;
  StateChange c;
  const auto& co = v->get_object();
  if (!read(co, "by", c.actor) || !read(co, "at", c.at) || !read(co, "note", c.note)) return false;
  out = std::move(c);
  return true;
}

json::array to_array(const std::vector<std::string>& strings) {
  json::array out;
  out.reserve(strings.size());
  for (const auto& s : strings) out.emplace_back(s);
  return out;
}

// Absent: false. Present: every element must be a string.
bool read(const json::object& o, std::string_view key, std::vector<std::string>& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return false;
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.get_string().begin(), item.get_string().end());
  }
  return true;
}

// The alert object; `with_lists` false leaves out observation_ids and trace_ids (the event form).
json::object alert_object(const Alert& a, bool with_lists) {
  json::object o{
      {"id", a.id},
      {"trial_id", a.trial_id},
      {"site_id", a.site_id},
      {"patient_id", a.patient_id},
      {"rule_id", a.rule_id},
      {"severity", domain::to_string(a.severity)},
      {"status", to_string(a.status)},
      {"opened_at", format_rfc3339(a.opened_at)},
      {"updated_at", format_rfc3339(a.updated_at)},
      {"severity_raised_at", time_or_null(a.severity_raised_at)},
      {"observed_at", format_rfc3339(a.observed_at)},
  };
  if (with_lists) {
    o.emplace("observation_ids", to_array(a.observation_ids));
    o.emplace("trace_ids", to_array(a.trace_ids));
  }
  o.emplace("reason", a.reason);
  o.emplace("protocol_version", a.protocol_version);
  o.emplace("count", a.count);
  o.emplace("acknowledged", change_or_null(a.acknowledged));
  o.emplace("resolved", change_or_null(a.resolved));
  return o;
}

}  // namespace

Alert without_lists(const Alert& a) {
  Alert out;
  out.id = a.id;
  out.trial_id = a.trial_id;
  out.site_id = a.site_id;
  out.patient_id = a.patient_id;
  out.rule_id = a.rule_id;
  out.severity = a.severity;
  out.status = a.status;
  out.opened_at = a.opened_at;
  out.updated_at = a.updated_at;
  out.severity_raised_at = a.severity_raised_at;
  out.observed_at = a.observed_at;
  out.reason = a.reason;
  out.protocol_version = a.protocol_version;
  out.count = a.count;
  out.acknowledged = a.acknowledged;
  out.resolved = a.resolved;
  return out;
}

json::object to_json(const Alert& a) {
  return alert_object(a, /*with_lists=*/true);
}

json::object to_json(const AlertEvent& e) {
  return json::object{
      {"event_id", e.event_id},
      {"kind", to_string(e.kind)},
      {"actor", e.actor},
      {"note", e.note},
      {"at", format_rfc3339(e.at)},
      {"alert", alert_object(e.alert, /*with_lists=*/false)},
      {"observation_ids", to_array(e.observation_ids)},
      {"trace_ids", to_array(e.trace_ids)},
  };
}

json::object to_stored_json(const AlertEvent& e) {
  json::object o = alert_object(e.alert, /*with_lists=*/false);
  o.emplace("observation_ids", to_array(e.observation_ids));
  o.emplace("trace_ids", to_array(e.trace_ids));
  return o;
}

AlertEvent event_of(const AlertChange& change, std::uint64_t event_id) {
  return AlertEvent{event_id,    change.kind, without_lists(change.alert), change.actor,
                    change.note, change.at,   change.observation_ids,      change.trace_ids};
}

std::optional<Alert> alert_from_json(const json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const auto& o = value.get_object();
  Alert a;
  std::string severity;
  std::string status;
  if (!read(o, "id", a.id) || !read(o, "trial_id", a.trial_id) || !read(o, "site_id", a.site_id) ||
      !read(o, "patient_id", a.patient_id) || !read(o, "rule_id", a.rule_id) ||
      !read(o, "severity", severity) || !read(o, "status", status) || !read(o, "opened_at", a.opened_at) ||
      !read(o, "updated_at", a.updated_at) || !read(o, "severity_raised_at", a.severity_raised_at) ||
      !read(o, "observed_at", a.observed_at) || !read(o, "reason", a.reason) ||
      !read(o, "acknowledged", a.acknowledged) || !read(o, "resolved", a.resolved)) {
    return std::nullopt;
  }
  auto sev = domain::parse_severity(severity);
  auto st = parse_alert_status(status);
  if (!sev || !st) return std::nullopt;
  a.severity = *sev;
  a.status = *st;

  if (!read(o, "observation_ids", a.observation_ids)) return std::nullopt;
  // Optional: snapshots stored before trace ids existed have none.
  if (o.contains("trace_ids") && !read(o, "trace_ids", a.trace_ids)) return std::nullopt;
  const auto* version = o.if_contains("protocol_version");
  const auto* count = o.if_contains("count");
  if (version == nullptr || !version->is_int64() || count == nullptr) return std::nullopt;
  a.protocol_version = static_cast<int>(version->get_int64());
  if (count->is_uint64()) {
    a.count = count->get_uint64();
  } else if (count->is_int64() && count->get_int64() >= 0) {
    a.count = static_cast<std::uint64_t>(count->get_int64());
  } else {
    return std::nullopt;
  }
  return a;
}

AlertIdGenerator::AlertIdGenerator() {
  std::random_device rd;
  state_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

std::string AlertIdGenerator::next() {
  // splitmix64: the additive step visits every 64-bit value once and the finaliser is a bijection,
  // so consecutive ids of one generator are distinct.
  state_ += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return fmt::format("al_{:016x}", z);
}

}  // namespace vigil::alerts
