#include "api/registry_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>

#include "api/routes.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

namespace json = boost::json;

json::value optional_text(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

// Audit values are JSON text written by the store; they are returned as JSON, not as strings.
json::value embedded(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  auto value = json::parse(*text, ec);
  return ec ? json::value(*text) : value;
}

json::object counts_json(const store::StatusCounts& c) {
  return {{"screened", c.screened},
          {"enrolled", c.enrolled},
          {"withdrawn", c.withdrawn},
          {"completed", c.completed},
          {"total", c.total()}};
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

json::object to_json(const registry::Trial& t) {
  return {{"id", t.id}, {"name", t.name}, {"phase", t.phase}, {"status", registry::to_string(t.status)}};
}

json::object to_json(const registry::Site& s) {
  return {
      {"id", s.id},           {"trial_id", s.trial_id}, {"name", s.name},
      {"country", s.country}, {"timezone", s.timezone}, {"principal_investigator", s.principal_investigator}};
}

json::object to_json(const registry::Patient& p) {
  const bool enrolled = p.status != registry::PatientStatus::screened && p.enrolled_at != TimePoint{};
  return {{"id", p.id},
          {"trial_id", p.trial_id},
          {"site_id", p.site_id},
          {"arm", optional_text(p.arm)},
          {"status", registry::to_string(p.status)},
          {"enrolled_at", enrolled ? json::value(format_rfc3339(p.enrolled_at)) : json::value(nullptr)},
          {"settings", json::object{{"spo2_scale", p.settings.spo2_scale}}}};
}

json::object to_json(const store::Device& d) {
  return {{"serial", d.serial},
          {"type", d.type},
          {"patient_id", optional_text(d.patient_id)},
          {"revoked", d.revoked},
          {"created_at", format_rfc3339(d.created_at)},
          {"revoked_at", d.revoked_at ? json::value(format_rfc3339(*d.revoked_at)) : json::value(nullptr)}};
}

json::object to_json(const store::User& u) {
  json::array sites;
  for (const auto& s : u.site_ids) sites.emplace_back(s);
  return {{"subject", u.subject},
          {"display_name", u.display_name},
          {"role", store::to_string(u.role)},
          {"site_ids", std::move(sites)}};
}

json::object to_json(const store::ProtocolVersion& p, bool with_document) {
  json::object o{{"trial_id", p.trial_id},
                 {"version", p.version},
                 {"author", p.author},
                 {"reason", p.reason},
                 {"created_at", format_rfc3339(p.created_at)}};
  if (with_document) o["document"] = p.document;
  return o;
}

json::object to_json(const store::AuditRecord& r) {
  return {{"seq", r.seq},
          {"at", format_rfc3339(r.at)},
          {"actor", r.actor},
          {"action", r.action},
          {"entity_type", r.entity_type},
          {"entity_id", r.entity_id},
          {"old_value", embedded(r.old_value)},
          {"new_value", embedded(r.new_value)},
          {"reason", r.reason},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

json::object to_json(const store::TrialCounts& c) {
  json::array sites;
  for (const auto& s : c.sites) {
    auto o = counts_json(s.counts);
    o.emplace("site_id", s.site_id);
    sites.push_back(std::move(o));
  }
  auto o = counts_json(c.counts);
  o.emplace("trial_id", c.trial_id);
  o.emplace("sites", std::move(sites));
  return o;
}

json::value to_json(const std::optional<store::PatientIdentity>& masked) {
  if (!masked) return nullptr;
  return json::object{{"name", masked->full_name}, {"national_id", masked->national_id}};
}

json::object page_json(std::string_view key, json::array items, const std::string& next_cursor) {
  json::object o;
  o[key] = std::move(items);
  o["next_cursor"] = optional_text(next_cursor);
  return o;
}

BodyReader::BodyReader(const http::Request& request) {
  if (request.body().empty()) return;
  if (!has_json_body(request)) {
    failure_ = unsupported_media_type(request);
    return;
  }
  boost::system::error_code ec;
  auto parsed = json::parse(request.body(), ec);
  if (ec) {
    failure_ = http::problem(http::Status::bad_request, "malformed-json", "Malformed JSON", ec.message());
  } else if (!parsed.is_object()) {
    failure_ = http::problem(http::Status::bad_request, "invalid-body", "Body has the wrong shape",
                             "the body must be a JSON object");
  } else {
    body_ = std::move(parsed.as_object());
  }
}

const json::value* BodyReader::field(std::string_view key, Need need) {
  known_.emplace(key);
  const auto* v = body_.if_contains(key);
  if (v != nullptr && !v->is_null()) return v;
  if (need == Need::required) add_error(std::string(key), "is required");
  return nullptr;
}

bool BodyReader::has(std::string_view key) {
  return field(key, Need::optional) != nullptr;
}

bool BodyReader::present(std::string_view key) {
  known_.emplace(key);
  return body_.contains(key);
}

std::optional<std::string> BodyReader::text(std::string_view key, Need need, std::size_t max) {
  const auto* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    add_error(std::string(key), "must be a string");
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (s.size() > max) {
    add_error(std::string(key), fmt::format("must be at most {} bytes long", max));
    return std::nullopt;
  }
  if (s.empty() && need == Need::required) {
    add_error(std::string(key), "must not be empty");
    return std::nullopt;
  }
  if (s.find('\0') != std::string::npos) {
    add_error(std::string(key), "must not contain NUL");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> BodyReader::id(std::string_view key, Need need) {
  auto s = text(key, need, kMaxIdBytes);
  if (!s) return std::nullopt;
  if (s->empty() || has_control(*s)) {
    add_error(std::string(key), fmt::format("must be 1 to {} bytes without control characters", kMaxIdBytes));
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> BodyReader::integer(std::string_view key, Need need, std::int64_t min,
                                                std::int64_t max) {
  const auto* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  if (!v->is_int64() || v->as_int64() < min || v->as_int64() > max) {
    add_error(std::string(key), fmt::format("must be an integer from {} to {}", min, max));
    return std::nullopt;
  }
  return v->as_int64();
}

std::optional<TimePoint> BodyReader::time(std::string_view key, Need need) {
  const auto* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  TimePoint t{};
  if (!v->is_string() || !parse_rfc3339(v->as_string(), t)) {
    add_error(std::string(key), "must be an RFC 3339 time such as 2026-11-22T08:00:00Z");
    return std::nullopt;
  }
  return t;
}

std::optional<std::vector<std::string>> BodyReader::id_list(std::string_view key, Need need) {
  const auto* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    add_error(std::string(key), "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  const auto& items = v->as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (!item.is_string() || item.as_string().empty() || item.as_string().size() > kMaxIdBytes ||
        has_control(item.as_string())) {
      add_error(fmt::format("{}[{}]", key, i),
                fmt::format("must be a string of 1 to {} bytes without control characters", kMaxIdBytes));
      ok = false;
      continue;
    }
    out.emplace_back(item.as_string());
  }
  if (!ok) return std::nullopt;
  return out;
}

void BodyReader::forbid(std::string_view key, std::string message) {
  known_.emplace(key);
  if (body_.contains(key)) add_error(std::string(key), std::move(message));
}

void BodyReader::reject_unknown() {
  for (const auto& kv : body_) {
    if (known_.find(kv.key()) == known_.end()) add_error(std::string(kv.key()), "unknown field");
  }
}

http::Response invalid_fields(std::string_view slug, std::string_view title,
                              const std::vector<domain::FieldError>& errors) {
  return http::problem(
      http::Status::unprocessable_entity, slug, title,
      errors.empty() ? std::string() : fmt::format("{}: {}", errors.front().path, errors.front().message),
      {{"errors", to_json(errors)}});
}

}  // namespace vigil::api::detail
