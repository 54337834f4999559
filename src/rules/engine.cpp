#include "rules/engine.h"

#include <algorithm>
#include <string>
#include <utility>

#include "domain/loinc.h"
#include "rules/ctcae.h"
#include "rules/missing_data.h"
#include "rules/news2.h"
#include "rules/thresholds.h"

namespace vigil::rules {
namespace {

void add(std::vector<domain::Finding>& findings, std::optional<domain::Finding> f) {
  if (f) findings.push_back(std::move(*f));
}

// A late reading is scored with everything newer the state already holds.
TimePoint scoring_time(const PatientState& state, TimePoint reading_time) {
  const auto newest = state.newest_news2_reading();
  return newest ? std::max(*newest, reading_time) : reading_time;
}

void check_ctcae(const Protocol& protocol, const PatientState& state, const domain::Observation& o,
                 std::vector<domain::Finding>& findings) {
  if (!protocol.ctcae.enabled) return;
  const TimePoint at = o.effective_time;
  if (o.code == domain::loinc::blood_pressure_panel) {
    std::optional<double> systolic;
    std::optional<double> diastolic;
    for (const auto& c : o.components) {
      if (c.code == domain::loinc::systolic_bp) systolic = c.value;
      if (c.code == domain::loinc::diastolic_bp) diastolic = c.value;
    }
    add(findings, hypertension_finding(protocol.ctcae, systolic, diastolic, {o.id}, at));
  } else if (o.value && o.code == domain::loinc::systolic_bp) {
    add(findings, hypertension_finding(protocol.ctcae, o.value, std::nullopt, {o.id}, at));
  } else if (o.value && o.code == domain::loinc::diastolic_bp) {
    add(findings, hypertension_finding(protocol.ctcae, std::nullopt, o.value, {o.id}, at));
  } else if (o.value && o.code == domain::loinc::body_temperature) {
    add(findings, fever_finding(protocol.ctcae, *o.value, state.time_above_40(at), {o.id}, at));
  }
}

}  // namespace

std::optional<domain::Finding> evaluate_news2(const Protocol& protocol, const PatientSettings& settings,
                                              const PatientState& state, TimePoint at) {
  if (!protocol.news2.enabled) return std::nullopt;
  const auto snapshot = state.news2_snapshot(at, protocol.news2.window, settings.spo2_scale);
  const auto result = score_news2(snapshot.input);
  const auto severity = news2_severity(result.band);
  if (!severity || result.band < protocol.news2.min_alert_band) return std::nullopt;
  domain::Finding f;
  f.rule_id = "news2";
  f.severity = *severity;
  f.reason = result.describe();
  f.observation_ids.assign(snapshot.source_ids.begin(), snapshot.source_ids.end());
  f.observed_at = snapshot.newest.value_or(at);
  return f;
}

std::vector<domain::Finding> evaluate(const Protocol& protocol, const PatientSettings& settings,
                                      PatientState& state, const domain::Observation& observation) {
  const bool news2_changed = state.apply(observation);
  std::vector<domain::Finding> findings;
  const TimePoint at = observation.effective_time;
  if (observation.value) {
    add(findings,
        check_threshold(protocol.thresholds, observation.code, *observation.value, observation.id, at));
  }
  for (const auto& c : observation.components) {
    add(findings, check_threshold(protocol.thresholds, c.code, c.value, observation.id, at));
  }
  check_ctcae(protocol, state, observation, findings);
  if (news2_changed) add(findings, evaluate_news2(protocol, settings, state, scoring_time(state, at)));
  return findings;
}

std::vector<domain::Finding> evaluate(const Protocol& protocol, const PatientSettings& settings,
                                      PatientState& state, const domain::QuestionnaireResponse& response) {
  const bool news2_changed = state.apply(response, protocol.questionnaire);
  auto findings = check_epro_thresholds(protocol.epro_thresholds, response);
  if (news2_changed) {
    add(findings, evaluate_news2(protocol, settings, state, scoring_time(state, response.authored)));
  }
  return findings;
}

std::optional<domain::Finding> evaluate_missing(const Protocol& protocol, const PatientState& state,
                                                TimePoint now) {
  const auto last = state.last_reading();
  if (!last) return std::nullopt;
  return check_missing_data(*last, now, protocol.missing_data_gap);
}

}  // namespace vigil::rules
