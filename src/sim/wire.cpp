#include "sim/wire.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "domain/codec.h"

namespace vigil::sim {
namespace {

namespace json = boost::json;

domain::Observation reading(const PatientPlan& patient, IdSource& ids, std::string code, TimePoint at) {
  domain::Observation o;
  o.id = ids.next();
  o.patient_id = patient.id;
  o.device_id = patient.device_id;
  o.code = std::move(code);
  o.effective_time = at;
  return o;
}

void add_value(const PatientPlan& patient, IdSource& ids, TimePoint at, const char* code, double value,
               const char* unit, std::vector<domain::Observation>& out) {
  auto o = reading(patient, ids, code, at);
  o.value = value;
  o.unit = unit;
  out.push_back(std::move(o));
}

std::optional<std::uint64_t> count_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  return std::nullopt;
}

std::string text_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

std::optional<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

// "path: message" of the first error of an "errors" array entry (a field error, or an item with
// its own "errors" list as in a batch answer).
std::string first_error_of(const json::value& entry) {
  if (!entry.is_object()) return {};
  const auto& o = entry.get_object();
  if (const auto* nested = o.if_contains("errors"); nested != nullptr && nested->is_array()) {
    if (nested->get_array().empty()) return {};
    std::string inner = first_error_of(nested->get_array().front());
    if (const auto index = count_field(o, "index")) return fmt::format("[{}] {}", *index, inner);
    return inner;
  }
  const std::string path = text_field(o, "path");
  const std::string message = text_field(o, "message");
  return path.empty() ? message : fmt::format("{}: {}", path, message);
}

bool token_char(unsigned char c) {
  static constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={}";
  return c > 0x20 && c < 0x7f && kSeparators.find(static_cast<char>(c)) == std::string_view::npos;
}

}  // namespace

std::string check_header(const Header& header) {
  const auto& [name, value] = header;
  if (name.empty()) return "a header name is empty";
  if (!std::all_of(name.begin(), name.end(),
                   [](char c) { return token_char(static_cast<unsigned char>(c)); }))
    return fmt::format("header name '{}' is not an HTTP token", name);
  const bool control = std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
  if (control) return fmt::format("the value of header {} holds a control character", name);
  if (!value.empty() &&
      (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' || value.back() == '\t'))
    return fmt::format("the value of header {} starts or ends with a space", name);
  return {};
}

std::string IdSource::next() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t hi = random_.next();
  std::uint64_t lo = random_.next();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10xx
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 8 || i == 12) out += '-';
    out += kHex[(hi >> (60 - 4 * i)) & 0xf];
  }
  for (int i = 0; i < 16; ++i) {
    if (i == 0 || i == 4) out += '-';
    out += kHex[(lo >> (60 - 4 * i)) & 0xf];
  }
  return out;
}

void append_vitals(const PatientPlan& patient, const Vitals& v, TimePoint at, IdSource& ids,
                   std::vector<domain::Observation>& out) {
  add_value(patient, ids, at, "8867-4", v.heart_rate, "/min", out);
  add_value(patient, ids, at, "9279-1", v.respiration_rate, "/min", out);
  add_value(patient, ids, at, "2708-6", v.spo2, "%", out);
  add_value(patient, ids, at, "8310-5", v.temperature, "Cel", out);
  auto bp = reading(patient, ids, "85354-9", at);
  bp.components = {{"8480-6", v.systolic, "mm[Hg]"}, {"8462-4", v.diastolic, "mm[Hg]"}};
  out.push_back(std::move(bp));
}

std::string observations_body(const std::vector<domain::Observation>& observations) {
  std::string body = R"({"observations":[)";
  body.reserve(observations.size() * 200);
  for (std::size_t i = 0; i < observations.size(); ++i) {
    if (i > 0) body += ',';
    domain::write_json(observations[i], body);
  }
  body += "]}";
  return body;
}

domain::QuestionnaireResponse diary_response(const PatientPlan& patient,
                                             const domain::QuestionnaireDefinition& definition,
                                             std::vector<domain::Answer> answers, TimePoint at,
                                             IdSource& ids) {
  domain::QuestionnaireResponse r;
  r.id = ids.next();
  r.patient_id = patient.id;
  r.questionnaire_id = definition.id;
  r.questionnaire_version = definition.version;
  r.authored = at;
  r.answers = std::move(answers);
  return r;
}

std::string response_body(const domain::QuestionnaireResponse& response) {
  std::string body;
  domain::write_json(response, body);
  return body;
}

std::optional<IntakeAnswer> parse_intake_answer(std::string_view body) {
  auto v = parse_json(body);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  const auto accepted = count_field(o, "accepted");
  const auto duplicates = count_field(o, "duplicates");
  if (!accepted || !duplicates) return std::nullopt;
  IntakeAnswer a{*accepted, *duplicates, 0, {}};
  if (const auto* errors = o.if_contains("errors"); errors != nullptr && !errors->is_null()) {
    if (!errors->is_array()) return std::nullopt;
    a.rejected = errors->get_array().size();
    if (a.rejected > 0) a.first_error = first_error_of(errors->get_array().front());
  }
  return a;
}

std::string describe_refusal(unsigned status, std::string_view body) {
  if (auto v = parse_json(body); v && v->is_object()) {
    const auto& o = v->get_object();
    std::string type = text_field(o, "type");
    if (const auto slash = type.rfind('/'); slash != std::string::npos) type.erase(0, slash + 1);
    std::string out = fmt::format("{} {}: {}", status, type.empty() ? text_field(o, "title") : type,
                                  text_field(o, "detail"));
    if (const auto* errors = o.if_contains("errors");
        errors != nullptr && errors->is_array() && !errors->get_array().empty()) {
      out += fmt::format(" ({})", first_error_of(errors->get_array().front()));
    }
    return out;
  }
  constexpr std::size_t kShown = 120;
  std::string shown(body.substr(0, kShown));
  std::replace_if(
      shown.begin(), shown.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return fmt::format("{} {}", status, shown);
}

std::chrono::milliseconds parse_retry_after(std::string_view header, std::chrono::milliseconds fallback,
                                            std::chrono::milliseconds max) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  std::uint64_t seconds = 0;
  const auto [ptr, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (header.empty() || ptr != header.data() + header.size()) return fallback;
  if (ec == std::errc::result_out_of_range || seconds > static_cast<std::uint64_t>(max.count() / 1000))
    return max;
  if (ec != std::errc{}) return fallback;
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds) * 1000);
}

std::optional<AlertUpdate> parse_alert_event(std::string_view data) {
  auto v = parse_json(data);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  const auto* alert_value = o.if_contains("alert");
  if (alert_value == nullptr || !alert_value->is_object()) return std::nullopt;
  const auto& alert = alert_value->get_object();

  AlertUpdate u;
  const auto event_id = count_field(o, "event_id");
  const auto severity = domain::parse_severity(text_field(alert, "severity"));
  u.kind = text_field(o, "kind");
  u.alert_id = text_field(alert, "id");
  u.patient_id = text_field(alert, "patient_id");
  if (!event_id || !severity || u.kind.empty() || u.alert_id.empty() || u.patient_id.empty() ||
      !parse_rfc3339(text_field(o, "at"), u.at)) {
    return std::nullopt;
  }
  u.event_id = *event_id;
  u.severity = *severity;
  u.site_id = text_field(alert, "site_id");
  u.rule_id = text_field(alert, "rule_id");
  u.reason = text_field(alert, "reason");
  return u;
}

}  // namespace vigil::sim
