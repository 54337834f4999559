#pragma once
// The trial registry: which trials, sites and patients exist, and each trial's monitoring protocol.
// The processor asks it for a patient's settings and protocol; the intake API asks whether a patient
// may send data; the missing-data scan walks every patient.
//
// `Registry` is an interface so that the in-memory registry loaded from a protocol file
// (registry/protocol_file.h) and a database-backed one with REST management can stand behind the
// same callers.
//
// Thread safety: every implementation must allow any number of threads to call every method
// concurrently. Results are copies (or shared pointers to immutable data), never references into the
// registry, so a later write or reload cannot change what a caller already holds.
//
// Errors: lookups of ids that do not exist return std::nullopt / nullptr / an empty vector; they
// never throw.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "rules/protocol.h"

namespace vigil::registry {

// planned -> recruiting -> active (enrolment closed, follow-up running) -> completed; any non-final
// status may end in terminated. `suspended` (a temporary halt) is kept for protocol files.
// New values are appended so that existing numeric uses keep their meaning.
enum class TrialStatus { planned, active, suspended, completed, recruiting, terminated };
// Only enrolled patients may send data; the others are kept so that their ids get a precise answer.
enum class PatientStatus { screened, enrolled, withdrawn, completed };

// "planned", "active", ...; the spelling used in protocol files and API responses.
std::string_view to_string(TrialStatus s);
std::string_view to_string(PatientStatus s);
std::optional<TrialStatus> parse_trial_status(std::string_view text);
std::optional<PatientStatus> parse_patient_status(std::string_view text);

struct Trial {
  std::string id;  // e.g. the ClinicalTrials.gov number "NCT09990001"
  std::string name;
  std::string phase;  // "1", "1/2", "2", "2/3", "3" or "4"
  TrialStatus status = TrialStatus::active;
};

struct Site {
  std::string id;  // unique across the registry, e.g. "S01"
  std::string trial_id;
  std::string name;
  std::string country;   // ISO 3166-1 alpha-2, e.g. "GB"
  std::string timezone;  // IANA name, e.g. "Europe/London"; local times on reports and reminders
  std::string principal_investigator;
};

struct Patient {
  std::string id;  // pseudonymous subject id, unique across the registry
  std::string trial_id;
  std::string site_id;
  std::string arm;  // randomisation arm; empty when not (yet) randomised
  PatientStatus status = PatientStatus::enrolled;
  TimePoint enrolled_at{};  // the epoch for screened patients, who have not been enrolled
  rules::PatientSettings settings;
};

// The answer to "may this patient send observations?". `detail` is one sentence an API can return
// as is (RFC 9457 "detail"): 404 for unknown, 422 for not_enrolled.
struct PatientCheck {
  enum class Result { ok, unknown, not_enrolled };
  Result result = Result::unknown;
  std::optional<Patient> patient;  // set for ok and not_enrolled (its status says why)
  std::string detail;              // empty when ok

  [[nodiscard]] bool ok() const { return result == Result::ok; }
};

class Registry {
 public:
  virtual ~Registry() = default;

  [[nodiscard]] virtual std::optional<Patient> patient(std::string_view id) const = 0;
  // Shared so that a reload can publish a new version while a processor finishes with the old one.
  [[nodiscard]] virtual std::shared_ptr<const rules::Protocol> protocol(std::string_view trial_id) const = 0;
  [[nodiscard]] virtual std::optional<Trial> trial(std::string_view id) const = 0;
  [[nodiscard]] virtual std::optional<Site> site(std::string_view id) const = 0;
  [[nodiscard]] virtual std::vector<Trial> trials() const = 0;
  // The sites of one trial, in a stable order; empty for an unknown trial.
  [[nodiscard]] virtual std::vector<Site> sites(std::string_view trial_id) const = 0;
  // Calls `fn` once per patient (every status), in a stable order, on the calling thread. `fn` may
  // call other methods of this registry.
  virtual void for_each_patient(const std::function<void(const Patient&)>& fn) const = 0;
  [[nodiscard]] virtual std::size_t patient_count() const = 0;

  // ok with the patient when enrolled; unknown; or not_enrolled with the patient when screened,
  // withdrawn or completed. Built on patient(), so every implementation answers the same way.
  [[nodiscard]] PatientCheck check_patient_for_intake(std::string_view id) const;
};

}  // namespace vigil::registry
