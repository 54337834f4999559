#pragma once
// The simulator's side of the HTTP contract, without the network: request bodies built from the
// plan (through domain::write_json, the intake format itself), and the parsing of what the server
// answers (202 bodies, problem details, Retry-After, alert-stream events).
//
// Thread safety: IdSource is not synchronised (one per producer); the functions are pure.
// Errors: parsers return std::nullopt for anything that does not have the documented shape.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "domain/observation.h"
#include "domain/questionnaire.h"
#include "domain/severity.h"
#include "loadgen/payload.h"
#include "sim/physiology.h"
#include "sim/scenario.h"

namespace vigil::sim {

// A request header: {"X-API-Key", "vk_..."} for a device, {"Authorization", "Bearer <jwt>"} for staff.
using Header = std::pair<std::string, std::string>;
// Why `header` cannot be sent (a name that is not an HTTP token, a value with a control character
// other than tab, or surrounding spaces); empty when it can.
std::string check_header(const Header& header);

// Random lower-case UUID v4s. Ids are idempotency keys, so they must differ between runs even with
// the same physiology seed: seed it from std::random_device in real use.
class IdSource {
 public:
  explicit IdSource(std::uint64_t seed) : random_(seed) {}
  std::string next();

 private:
  loadgen::FastRandom random_;
};

// The reading set as kObservationsPerSet observations, appended to `out`: heart rate 8867-4,
// respiration 9279-1 (/min), SpO2 2708-6 (%), temperature 8310-5 (Cel), and the blood-pressure
// panel 85354-9 with components 8480-6 and 8462-4 (mm[Hg]), all at `at`.
void append_vitals(const PatientPlan& patient, const Vitals& vitals, TimePoint at, IdSource& ids,
                   std::vector<domain::Observation>& out);

// {"observations":[...]} for 1..1000 observations.
std::string observations_body(const std::vector<domain::Observation>& observations);

// A diary response to `definition`, authored at `at`.
domain::QuestionnaireResponse diary_response(const PatientPlan& patient,
                                             const domain::QuestionnaireDefinition& definition,
                                             std::vector<domain::Answer> answers, TimePoint at,
                                             IdSource& ids);
std::string response_body(const domain::QuestionnaireResponse& response);

// A 2xx intake answer: {"accepted": n, "duplicates": d, "errors": [...]} ("errors" optional).
struct IntakeAnswer {
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;  // entries of "errors"
  std::string first_error;     // "observations[3].value: ..." of the first entry; empty when none
};
std::optional<IntakeAnswer> parse_intake_answer(std::string_view body);

// One line for a refused request: "422 invalid-observation: 1 field error(s) (value: ...)" from a
// problem+json body, or the status and the start of the body otherwise.
std::string describe_refusal(unsigned status, std::string_view body);

// Retry-After as delta-seconds, clamped to [0, max]; `fallback` when absent or an HTTP-date.
std::chrono::milliseconds parse_retry_after(std::string_view header, std::chrono::milliseconds fallback,
                                            std::chrono::milliseconds max);

// The parts of an alert-stream event (alerts::to_json(const AlertEvent&)) the simulator uses.
struct AlertUpdate {
  std::uint64_t event_id = 0;
  std::string kind;  // opened, updated, acknowledged, resolved
  TimePoint at{};    // when the change was made (server clock)
  std::string alert_id;
  std::string patient_id;
  std::string site_id;
  std::string rule_id;
  domain::Severity severity = domain::Severity::low;
  std::string reason;
};
std::optional<AlertUpdate> parse_alert_event(std::string_view data);

}  // namespace vigil::sim
