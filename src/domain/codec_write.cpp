// The JSON writers and the durable-log encoding of codec.h. Hand-written rather than through a JSON
// library because the output is fixed and small, and shortest round-trip doubles (fmt's "{}") are
// what makes encode/decode exact.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "domain/codec.h"

namespace vigil::domain {

namespace {

void write_number(double v, std::string& out) {
  if (std::isfinite(v)) {
    // A compiled format into a local buffer: no parse of the format string per number.
    char text[32];
    const char* end = fmt::format_to(text, FMT_COMPILE("{}"), v);
    out.append(text, static_cast<std::size_t>(end - text));
  } else {
    out += "null";
  }
}

void write_key(std::string_view key, std::string& out, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += key;  // keys are our own identifiers: nothing to escape
  out += "\":";
}

void write_string_field(std::string_view key, std::string_view value, std::string& out, bool first = false) {
  write_key(key, out, first);
  write_json_string(value, out);
}

void write_time_field(std::string_view key, TimePoint t, std::string& out) {
  write_key(key, out);
  out += '"';
  append_rfc3339(t, out);  // digits only: nothing to escape
  out += '"';
}

}  // namespace

void write_json_string(std::string_view text, std::string& out) {
  out += '"';
  // Runs of characters that need no escape (nearly every string) are appended whole: a push_back
  // per character was about a tenth of a network thread's time in batch intake.
  const auto plain = [](char c) { return c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20; };
  for (std::size_t i = 0; i < text.size();) {
    std::size_t run = i;
    while (run < text.size() && plain(text[run])) ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    i = run + 1;
    const char c = text[run];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // A control character; UTF-8 passes through in the runs (the parser only hands us valid UTF-8).
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
    }
  }
  out += '"';
}

void write_json(const Observation& obs, std::string& out) {
  out += '{';
  write_string_field("id", obs.id, out, true);
  write_string_field("patient_id", obs.patient_id, out);
  if (!obs.device_id.empty()) write_string_field("device_id", obs.device_id, out);
  write_string_field("code", obs.code, out);
  if (obs.value) {
    write_key("value", out);
    write_number(*obs.value, out);
  }
  if (!obs.unit.empty()) write_string_field("unit", obs.unit, out);
  if (!obs.components.empty()) {
    write_key("components", out);
    out += '[';
    for (std::size_t i = 0; i < obs.components.size(); ++i) {
      const auto& c = obs.components[i];
      if (i > 0) out += ',';
      out += '{';
      write_string_field("code", c.code, out, true);
      write_key("value", out);
      write_number(c.value, out);
      write_string_field("unit", c.unit, out);
      out += '}';
    }
    out += ']';
  }
  write_time_field("effective_time", obs.effective_time, out);
  out += '}';
}

void write_json(const QuestionnaireResponse& response, std::string& out) {
  out += '{';
  write_string_field("id", response.id, out, true);
  write_string_field("patient_id", response.patient_id, out);
  write_string_field("questionnaire", response.questionnaire_id, out);
  write_string_field("version", response.questionnaire_version, out);
  write_time_field("authored", response.authored, out);
  write_key("answers", out);
  out += '{';
  for (std::size_t i = 0; i < response.answers.size(); ++i) {
    const auto& answer = response.answers[i];
    if (i > 0) out += ',';
    write_json_string(answer.item_id, out);
    out += ':';
    if (const auto* number = std::get_if<double>(&answer.value)) {
      write_number(*number, out);
    } else if (const auto* flag = std::get_if<bool>(&answer.value)) {
      out += *flag ? "true" : "false";
    } else {
      write_json_string(std::get<std::string>(answer.value), out);
    }
  }
  out += "}}";
}

std::string encode(const Observation& obs) {
  std::string out;
  out.reserve(256);  // a vital sign with a device is about 230 bytes
  write_json(obs, out);
  return out;
}

std::string encode(const QuestionnaireResponse& response) {
  std::string out;
  out.reserve(192 + 32 * response.answers.size());
  write_json(response, out);
  return out;
}

std::optional<Observation> decode_observation(std::string_view bytes) {
  auto parsed = parse_observations(bytes, 1);
  if (parsed.status != ParseStatus::ok || parsed.batch || parsed.items.size() != 1 || !parsed.items[0].ok()) {
    return std::nullopt;
  }
  return std::move(parsed.items[0].observation);
}

std::optional<QuestionnaireResponse> decode_questionnaire_response(std::string_view bytes) {
  auto parsed = parse_questionnaire_response(bytes);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed.response);
}

}  // namespace vigil::domain
