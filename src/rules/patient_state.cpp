#include "rules/patient_state.h"

#include <cmath>
#include <variant>

#include "domain/loinc.h"

namespace vigil::rules {
namespace {

std::size_t index(News2Parameter p) {
  return static_cast<std::size_t>(p);
}

std::optional<News2Parameter> parameter_for(std::string_view code) {
  if (code == domain::loinc::respiratory_rate) return News2Parameter::respiration_rate;
  if (code == domain::loinc::spo2 || code == domain::loinc::spo2_pulse_oximetry) {
    return News2Parameter::spo2;
  }
  if (code == domain::loinc::systolic_bp) return News2Parameter::systolic;
  if (code == domain::loinc::heart_rate) return News2Parameter::pulse;
  if (code == domain::loinc::body_temperature) return News2Parameter::temperature;
  if (code == domain::loinc::inhaled_oxygen_flow) return News2Parameter::oxygen_flow;
  return std::nullopt;
}

bool above_40(double cel) {
  return std::lround(round_to_band(cel, 0.1) * 10) > 400;
}

}  // namespace

bool PatientState::hold(News2Parameter parameter, double value, TimePoint at, const std::string& source_id) {
  auto& slot = latest_[index(parameter)];
  if (!std::isfinite(value) || (slot && slot->at > at)) return false;
  slot = HeldReading{value, at, source_id};
  if (parameter == News2Parameter::temperature) {
    if (!above_40(value)) {
      above_40_since_.reset();
    } else if (!above_40_since_) {
      above_40_since_ = at;
    }
  }
  return true;
}

bool PatientState::apply(const domain::Observation& observation) {
  const TimePoint at = observation.effective_time;
  if (!last_reading_ || *last_reading_ < at) last_reading_ = at;

  bool held = false;
  if (observation.code == domain::loinc::blood_pressure_panel) {
    for (const auto& c : observation.components) {
      if (c.code == domain::loinc::systolic_bp)
        held = hold(News2Parameter::systolic, c.value, at, observation.id) || held;
    }
    return held;
  }
  const auto parameter = parameter_for(observation.code);
  if (!parameter || !observation.value) return false;
  return hold(*parameter, *observation.value, at, observation.id);
}

bool PatientState::apply(const domain::QuestionnaireResponse& response,
                         const domain::QuestionnaireDefinition& definition) {
  for (const auto& item : definition.items) {
    if (!item.news2_consciousness) continue;
    for (const auto& answer : response.answers) {
      if (answer.item_id != item.id) continue;
      const bool* confused = std::get_if<bool>(&answer.value);
      if (confused == nullptr) return false;
      return hold(News2Parameter::consciousness, *confused ? 1 : 0, response.authored, response.id);
    }
  }
  return false;
}

News2Snapshot PatientState::news2_snapshot(TimePoint now, Duration window, int spo2_scale) const {
  News2Snapshot s;
  s.input.spo2_scale = spo2_scale;
  const auto use = [&](News2Parameter p) -> std::optional<double> {
    const auto& r = latest_[index(p)];
    if (!r || r->at < now - window || r->at > now) return std::nullopt;
    s.source_ids.push_back(r->source_id);
    if (!s.newest || *s.newest < r->at) s.newest = r->at;
    return r->value;
  };
  s.input.respiration_rate = use(News2Parameter::respiration_rate);
  s.input.spo2 = use(News2Parameter::spo2);
  s.input.systolic = use(News2Parameter::systolic);
  s.input.pulse = use(News2Parameter::pulse);
  s.input.temperature = use(News2Parameter::temperature);
  s.input.on_oxygen = use(News2Parameter::oxygen_flow).value_or(0) > 0;
  s.input.new_confusion = use(News2Parameter::consciousness).value_or(0) != 0;
  return s;
}

News2Input PatientState::news2_input(TimePoint now, Duration window, int spo2_scale) const {
  return news2_snapshot(now, window, spo2_scale).input;
}

const std::optional<HeldReading>& PatientState::latest(News2Parameter parameter) const {
  return latest_[index(parameter)];
}

std::optional<TimePoint> PatientState::newest_news2_reading() const {
  std::optional<TimePoint> newest;
  for (const auto& r : latest_) {
    if (r && (!newest || *newest < r->at)) newest = r->at;
  }
  return newest;
}

Duration PatientState::time_above_40(TimePoint at) const {
  if (!above_40_since_ || at < *above_40_since_) return Duration::zero();
  return at - *above_40_since_;
}

}  // namespace vigil::rules
