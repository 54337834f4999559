#include "loadgen/payload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace vigil::loadgen {
namespace {

unsigned digits(unsigned n) {
  unsigned d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// Sum of three uniforms: a cheap bell-shaped value in [center - spread, center + spread].
double bell(FastRandom& r, double center, double spread) {
  return center + spread * ((r.unit() + r.unit() + r.unit()) / 1.5 - 1.0);
}

}  // namespace

std::string format_patient_id(const PatientSpace& space, std::uint64_t index) {
  const std::uint64_t per_site = std::max(1U, space.patients_per_site);
  return fmt::format("{}-S{:0{}}-{:0{}}", space.prefix, index / per_site + 1,
                     std::max(2U, digits(space.sites)), index % per_site + 1,
                     std::max(4U, digits(space.patients_per_site)));
}

std::uint64_t FastRandom::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

PayloadWriter::PayloadWriter(PatientSpace space, std::uint64_t seed, const Clock& wall)
    : space_(std::move(space)),
      site_digits_(std::max(2U, digits(space_.sites))),
      number_digits_(std::max(4U, digits(space_.patients_per_site))),
      random_(seed),
      wall_(wall) {
  space_.sites = std::max(1U, space_.sites);
  space_.patients_per_site = std::max(1U, space_.patients_per_site);
}

void PayloadWriter::append_uuid(std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t hi = random_.next();
  std::uint64_t lo = random_.next();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10xx
  char text[36];
  int pos = 0;
  auto put = [&](std::uint64_t word, int nibbles_from, int nibbles_to) {
    for (int i = nibbles_from; i < nibbles_to; ++i) text[pos++] = kHex[(word >> (60 - 4 * i)) & 0xf];
  };
  put(hi, 0, 8);
  text[pos++] = '-';
  put(hi, 8, 12);
  text[pos++] = '-';
  put(hi, 12, 16);
  text[pos++] = '-';
  put(lo, 0, 4);
  text[pos++] = '-';
  put(lo, 4, 16);
  out.append(text, sizeof text);
}

void PayloadWriter::append_patient_id(std::string& out) {
  if (!fixed_patient_.empty()) {
    out += fixed_patient_;
    return;
  }
  const auto site = static_cast<unsigned>(random_.below(space_.sites)) + 1;
  const auto number = static_cast<unsigned>(random_.below(space_.patients_per_site)) + 1;
  fmt::format_to(std::back_inserter(out), "{}-S{:0{}}-{:0{}}", space_.prefix, site, site_digits_, number,
                 number_digits_);
}

std::string_view PayloadWriter::now_text() {
  const TimePoint now = wall_.now();
  if (cached_text_.empty() || now != cached_at_) {
    cached_at_ = now;
    cached_text_ = format_rfc3339(now);
  }
  return cached_text_;
}

void PayloadWriter::append_identity(std::string& out, std::string_view patient_id) {
  out += R"({"id":")";
  append_uuid(out);
  out += R"(","patient_id":")";
  const std::size_t patient_at = out.size();
  if (patient_id.empty()) {
    append_patient_id(out);
  } else {
    out += patient_id;
  }
  // One wearable per patient, named after the patient's position in the trial.
  std::uint64_t h = 0;
  for (std::size_t i = patient_at; i < out.size(); ++i) h = h * 31 + static_cast<unsigned char>(out[i]);
  fmt::format_to(std::back_inserter(out), R"(","device_id":"wear-{:05}",)", h % 100000);
}

void PayloadWriter::append_observation(std::string& out, std::string_view effective_time) {
  auto it = std::back_inserter(out);
  append_identity(out, {});

  // Mix of a wearable's vital signs; values mostly normal, with tails that cross alert thresholds.
  const std::uint64_t kind = random_.below(100);
  if (kind < 15) {
    // Rounded as sent, and the diastolic kept at least 10 below the systolic: a diastolic at or
    // above the systolic is physiologically impossible and Vigil rightly refuses it (422).
    const double systolic = std::round(bell(random_, 124, 40));
    const double diastolic = std::min(std::round(bell(random_, 78, 22)), systolic - 10);
    fmt::format_to(it,
                   R"("code":"85354-9","components":[{{"code":"8480-6","value":{:.0f},"unit":"mm[Hg]"}},)"
                   R"({{"code":"8462-4","value":{:.0f},"unit":"mm[Hg]"}}],)",
                   systolic, diastolic);
  } else {
    const char* code = "8867-4";
    const char* unit = "/min";
    double value = 0;
    if (kind < 45) {
      value = bell(random_, 80, 45);
    } else if (kind < 70) {
      code = "2708-6";
      unit = "%";
      value = std::min(100.0, bell(random_, 96, 6));
    } else if (kind < 85) {
      code = "9279-1";
      unit = "/min";
      value = bell(random_, 16, 9);
    } else {
      code = "8310-5";
      unit = "Cel";
      value = bell(random_, 37.0, 2.2);
    }
    fmt::format_to(it, R"("code":"{}","value":{:.1f},"unit":"{}",)", code, value, unit);
  }
  fmt::format_to(it, R"("effective_time":"{}"}})", effective_time);
}

void PayloadWriter::observation(std::string& out) {
  out.clear();
  const std::string_view t = now_text();
  append_observation(out, t);
}

void PayloadWriter::observation_batch(std::string& out, std::size_t n) {
  out.clear();
  out += R"({"observations":[)";
  const std::string_view t = now_text();
  for (std::size_t i = 0; i < n; ++i) {
    if (i != 0) out += ',';
    append_observation(out, t);
  }
  out += "]}";
}

std::string_view PayloadWriter::heart_rate(std::string& out, std::string_view patient_id, unsigned bpm) {
  out.clear();
  append_identity(out, patient_id);
  fmt::format_to(std::back_inserter(out),
                 R"("code":"8867-4","value":{},"unit":"/min","effective_time":"{}"}})", bpm, now_text());
  constexpr std::size_t kIdAt = 7;  // after {"id":"
  return std::string_view(out).substr(kIdAt, 36);
}

void PayloadWriter::questionnaire_response(std::string& out) {
  out.clear();
  out += R"({"id":")";
  append_uuid(out);
  out += R"(","patient_id":")";
  append_patient_id(out);
  // Pain mostly mild; the boolean symptoms rare, as in a trial's daily diary.
  const auto pain =
      std::min<std::uint64_t>(10, random_.below(5) + (random_.below(10) == 0 ? random_.below(7) : 0));
  fmt::format_to(std::back_inserter(out),
                 R"(","questionnaire":"demo-daily","version":"1","authored":"{}","answers":{{"pain":{},)"
                 R"("nausea":{},"shortness_of_breath":{},"new_confusion":{}}}}})",
                 now_text(), pain, random_.below(8) == 0, random_.below(20) == 0, random_.below(100) == 0);
}

}  // namespace vigil::loadgen
