#pragma once
// Request bodies for the load generator: realistic vital-sign observations (heart rate, SpO2,
// respiratory rate, temperature, blood-pressure panels with components), batches of them, and the
// demo trial's daily ePRO questionnaire response. Every body gets fresh random UUID v4 ids.
//
// Bodies are written with fmt into a caller-owned string that is reused from request to request, so
// steady-state generation allocates nothing. JSON is written by hand because every string in it
// (ids, codes, units, timestamps) is generated here from a fixed ASCII alphabet and needs no escaping;
// a general JSON serialiser would cost more per request than the server's parse.
//
// Thread safety: none; each connection owns its own PayloadWriter.
#include <cstdint>
#include <string>

#include "common/clock.h"

namespace vigil::loadgen {

// The patient ids of the demo trial: "<prefix>-S<site>-<number>", e.g. DEMO-S01-0007, with sites
// 1..sites and numbers 1..patients_per_site (at least 2 and 4 digits, zero-padded).
struct PatientSpace {
  std::string prefix = "DEMO";
  unsigned sites = 5;
  unsigned patients_per_site = 400;

  [[nodiscard]] std::uint64_t size() const { return std::uint64_t{sites} * patients_per_site; }
};

// Patient `index` (0-based, below space.size()) of the space, site by site: index 0 is
// <prefix>-S01-0001, index patients_per_site is <prefix>-S02-0001.
std::string format_patient_id(const PatientSpace& space, std::uint64_t index);

// SplitMix64 (Steele, Lea, Flood 2014): a few instructions per 64 random bits, which matters at
// tens of thousands of bodies per second on a core shared with the server under test.
class FastRandom {
 public:
  explicit FastRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

class PayloadWriter {
 public:
  // `wall` supplies effective/authored times (use SystemClock; the server rejects times too far in
  // the future). `space` must have sites and patients_per_site >= 1.
  PayloadWriter(PatientSpace space, std::uint64_t seed, const Clock& wall);

  // Appends a random lower-case UUID v4 (36 characters).
  void append_uuid(std::string& out);
  // Appends the fixed patient (set_patient) or else a patient id chosen uniformly from the space.
  void append_patient_id(std::string& out);
  // Every body written from now on is about `patient_id` (a connection holding one device's
  // credential); empty: draw patients from the space again.
  void set_patient(std::string patient_id) { fixed_patient_ = std::move(patient_id); }

  // Replaces `out` with one observation object.
  void observation(std::string& out);
  // Replaces `out` with {"observations":[...n objects...]}.
  void observation_batch(std::string& out, std::size_t n);
  // Replaces `out` with a "demo-daily" questionnaire response.
  void questionnaire_response(std::string& out);
  // Replaces `out` with one heart-rate observation (8867-4, `bpm` in /min, printed as a whole
  // number) for `patient_id`, or for the patient append_patient_id picks when it is empty. Returns
  // the observation's id, a view into `out`.
  std::string_view heart_rate(std::string& out, std::string_view patient_id, unsigned bpm);

 private:
  // {"id":"<uuid>","patient_id":"<patient>","device_id":"wear-NNNNN",
  void append_identity(std::string& out, std::string_view patient_id);
  void append_observation(std::string& out, std::string_view effective_time);
  std::string_view now_text();

  PatientSpace space_;
  std::string fixed_patient_;
  unsigned site_digits_;
  unsigned number_digits_;
  FastRandom random_;
  const Clock& wall_;
  // format_rfc3339 of the last millisecond seen, so a batch formats the time once.
  TimePoint cached_at_{};
  std::string cached_text_;
};

}  // namespace vigil::loadgen
