#pragma once
// A trial's monitoring protocol: what the rules check and how hard. Loaded by the registry from the
// trial's protocol file; consumed by rules/engine.h. Pure data.
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/questionnaire.h"
#include "domain/severity.h"

namespace vigil::rules {

// Alert when a reading of `code` (canonical unit) is below `low` or above `high` (strictly).
// For blood pressure use the component codes (8480-6, 8462-4).
struct Threshold {
  std::string code;
  std::optional<double> low;
  std::optional<double> high;
  domain::Severity severity = domain::Severity::medium;
};

enum class Comparison { greater_or_equal, less_or_equal, equal };

// Alert when an ePRO item's answer compares true against `value` (numeric or boolean as 1/0).
struct EproThreshold {
  std::string item_id;
  Comparison op = Comparison::greater_or_equal;
  double value = 0;
  domain::Severity severity = domain::Severity::medium;
};

enum class News2Band { none, low, low_medium, medium, high };

struct News2Settings {
  bool enabled = true;
  Duration window = std::chrono::hours(1);           // latest value of each parameter within this window
  News2Band min_alert_band = News2Band::low_medium;  // bands below this raise no alert
};

struct CtcaeSettings {
  bool enabled = true;
  int min_alert_grade = 2;  // grades below raise no alert (and so appear in no reason); 1 alerts on every grade
};

struct Protocol {
  std::string trial_id;
  int version = 1;
  std::vector<Threshold> thresholds;
  std::vector<EproThreshold> epro_thresholds;
  News2Settings news2;
  CtcaeSettings ctcae;
  Duration missing_data_gap = std::chrono::hours(24);
  domain::QuestionnaireDefinition questionnaire;
};

// Per-patient monitoring settings.
struct PatientSettings {
  int spo2_scale = 1;  // NEWS2 SpO2 scale 1 or 2 (hypercapnic respiratory failure)
};

}  // namespace vigil::rules
