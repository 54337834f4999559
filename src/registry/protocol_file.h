#pragma once
// Loads a trial's protocol file (YAML) into an in-memory Registry: the trial, its sites, its patients
// and the monitoring protocol the rules apply. docs/protocol-file.md documents every key; the
// shape, with examples/trials/demo.yaml as a full example:
//
//   trial:    {id: NCT09990001, name: ..., phase: "2", status: active}
//   protocol:
//     version: 1
//     news2: {enabled: true, window: 1h, min_alert_band: low-medium}      # optional, these defaults
//     ctcae: {enabled: true, min_alert_grade: 2}                          # optional, these defaults
//     missing_data_gap: 24h                                               # optional, this default
//     thresholds:                                  # per LOINC code, canonical unit, strict < / >
//       - {code: 8867-4, low: 40, high: 130, severity: high}
//     questionnaire:                               # optional (no ePRO without it)
//       id: demo-daily
//       version: "1"
//       items:
//         - {id: pain, loinc: 72514-3, type: numeric, min: 0, max: 10, required: true, text: ...}
//         - {id: new_confusion, type: boolean, news2_consciousness: true, text: ...}
//         - {id: mood, type: coded, options: [good, fair, poor], text: ...}
//     epro_thresholds:
//       - {item: pain, op: ">=", value: 8, severity: medium}
//       - {item: new_confusion, op: "==", value: true, severity: high}
//   sites:
//     - {id: S01, name: ..., country: GB, timezone: Europe/London, principal_investigator: ...}
//   patients:
//     - {id: DEMO-S01-0401, site: S01, status: screened}
//     - {id: DEMO-S01-0402, site: S01, arm: A, status: withdrawn, enrolled_at: 2026-09-03T09:00:00Z}
//     - generate: {site: S01, count: 400, id_format: "DEMO-S01-{:04}", arm: [A, B], status: enrolled,
//                  enrolled_at: 2026-09-01T08:00:00Z, enrolled_every: 1h, spo2_scale_2_every: 100}
//
// Loading is strict, because a silently ignored typo in a safety protocol means alerts that never
// fire: unknown or repeated keys, wrong types, out-of-range values, thresholds with neither low nor
// high or with low >= high, LOINC codes with a wrong check digit, duplicate ids, references to
// unknown sites or questionnaire items and negative durations are all errors.
//
// Thread safety: the functions are safe to call concurrently; they share no state.
// Errors: every problem throws ProtocolFileError (below), nothing is returned half-loaded.
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "registry/memory_registry.h"
#include "registry/registry.h"

namespace vigil::registry {

// what() is one line, "FILE:LINE:COL: reason" (1-based line and column of the offending node), or
// "FILE: reason" when no position applies (an unreadable file).
class ProtocolFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and validates a protocol file into a registry that holds its one trial.
std::unique_ptr<Registry> load_protocol_file(const std::filesystem::path& file);

// The parsed contents, for callers that store them elsewhere (a database-backed registry importing
// a file). `origin` names the text in error messages.
RegistryContents read_protocol_file(const std::filesystem::path& file);
RegistryContents parse_protocol_text(const std::string& yaml, const std::string& origin);

}  // namespace vigil::registry
