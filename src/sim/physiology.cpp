#include "sim/physiology.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace vigil::sim {
namespace {

using std::chrono::minutes;

// The normal envelope: every value inside scores NEWS2 0 and trips no demo protocol threshold.
struct Envelope {
  double low;
  double high;
};
constexpr Envelope kHeartRate{52, 88};
constexpr Envelope kRespiration{12, 20};
constexpr Envelope kSpo2Scale1{96, 100};
constexpr Envelope kSpo2Scale2{91, 96};
constexpr Envelope kTemperature{36.2, 37.6};
constexpr Envelope kSystolic{112, 136};
constexpr Envelope kDiastolic{60, 84};

double clamp(double v, Envelope e) {
  return std::clamp(v, e.low, e.high);
}

double uniform(std::mt19937_64& rng, double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(rng);
}

double noise(std::mt19937_64& rng, double sd) {
  return std::normal_distribution<double>(0.0, sd)(rng);
}

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
}

double fraction(Duration part, Duration whole) {
  return whole.count() <= 0 ? 1.0 : static_cast<double>(part.count()) / static_cast<double>(whole.count());
}

Duration minutes_between(std::mt19937_64& rng, int low, int high) {
  return minutes(std::uniform_int_distribution<int>(low, high)(rng));
}

double round_to(double v, double step) {
  return std::round(v / step) * step;
}

}  // namespace

std::uint64_t mix_seed(std::uint64_t base, std::uint64_t index) {
  std::uint64_t z = base + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

PatientProfile make_profile(std::uint64_t seed, int spo2_scale) {
  std::mt19937_64 rng(seed);
  PatientProfile p;
  p.spo2_scale = spo2_scale == 2 ? 2 : 1;
  p.baseline.heart_rate = uniform(rng, 60, 82);
  p.baseline.respiration_rate = uniform(rng, 13, 18);
  p.baseline.spo2 = p.spo2_scale == 2 ? uniform(rng, 92.5, 94.5) : uniform(rng, 96.5, 99);
  p.baseline.temperature = uniform(rng, 36.4, 37.1);
  p.baseline.systolic = uniform(rng, 114, 130);
  p.baseline.diastolic = uniform(rng, 66, 80);
  return p;
}

Episode make_episode(std::uint64_t seed, TimePoint onset) {
  std::mt19937_64 rng(seed);
  Episode e;
  e.onset = onset;
  e.ramp = minutes_between(rng, 30, 90);
  e.plateau = minutes_between(rng, 60, 120);
  e.recovery = e.ramp;
  e.heart_rate_rise = uniform(rng, 45, 55);
  e.respiration_rise = uniform(rng, 11, 14);
  e.temperature_rise = uniform(rng, 2.0, 2.5);
  e.systolic_fall = uniform(rng, 30, 40);
  e.spo2_fall = uniform(rng, 6, 8);
  return e;
}

double episode_severity(const Episode& e, TimePoint at) {
  if (at < e.onset || at >= e.end()) return 0;
  if (at < e.peak()) return smoothstep(fraction(at - e.onset, e.ramp));
  const TimePoint recovery_from = e.peak() + e.plateau;
  if (at < recovery_from) return 1;
  return 1 - smoothstep(fraction(at - recovery_from, e.recovery));
}

VitalsSample sample_vitals(const PatientProfile& profile, const Episode* episode, TimePoint at,
                           std::uint64_t reading_seed, double artefact_probability) {
  std::mt19937_64 rng(reading_seed);
  const Vitals& b = profile.baseline;
  const Envelope spo2_envelope = profile.spo2_scale == 2 ? kSpo2Scale2 : kSpo2Scale1;
  Vitals v;
  v.heart_rate = clamp(b.heart_rate + noise(rng, 3), kHeartRate);
  v.respiration_rate = clamp(b.respiration_rate + noise(rng, 1), kRespiration);
  v.spo2 = clamp(b.spo2 + noise(rng, 0.7), spo2_envelope);
  v.temperature = clamp(b.temperature + noise(rng, 0.15), kTemperature);
  v.systolic = clamp(b.systolic + noise(rng, 4), kSystolic);
  v.diastolic = clamp(b.diastolic + noise(rng, 3), kDiastolic);

  const double s = episode == nullptr ? 0 : episode_severity(*episode, at);
  if (s > 0) {
    v.heart_rate += s * episode->heart_rate_rise;
    v.respiration_rate += s * episode->respiration_rise;
    v.temperature += s * episode->temperature_rise;
    v.systolic -= s * episode->systolic_fall;
    // Diastolic pressure falls less than systolic in early sepsis.
    v.diastolic -= s * episode->systolic_fall * 0.4;
    v.spo2 -= s * episode->spo2_fall;
  }

  VitalsSample out;
  // Drawn even when unused, so the artefact decision does not shift with the episode state.
  const double roll = uniform(rng, 0, 1);
  const double pick = uniform(rng, 0, 3);
  const double amount = uniform(rng, 0, 1);
  if (s == 0 && roll < artefact_probability) {
    if (pick < 1) {
      out.artefact = Artefact::spo2_dip;
      v.spo2 = profile.spo2_scale == 2 ? 90 + std::floor(amount * 2) : 91 + std::floor(amount * 4);
    } else if (pick < 2) {
      out.artefact = Artefact::pulse_spike;
      v.heart_rate = std::min(109.0, v.heart_rate + 20 + 10 * amount);
    } else {
      out.artefact = Artefact::temperature_drop;
      v.temperature = 35.6 + 0.3 * amount;
    }
  }

  v.heart_rate = std::round(v.heart_rate);
  v.respiration_rate = std::round(v.respiration_rate);
  v.spo2 = std::min(100.0, std::round(v.spo2));
  v.temperature = round_to(v.temperature, 0.1);
  v.systolic = std::round(v.systolic);
  v.diastolic = std::round(std::min(v.diastolic, v.systolic - 20));
  out.vitals = v;
  return out;
}

bool trips(const rules::EproThreshold& t, double value) {
  switch (t.op) {
    case rules::Comparison::greater_or_equal:
      return value >= t.value;
    case rules::Comparison::less_or_equal:
      return value <= t.value;
    case rules::Comparison::equal:
      return value == t.value;
  }
  return false;
}

std::vector<domain::Answer> sample_answers(const domain::QuestionnaireDefinition& definition,
                                           const std::vector<rules::EproThreshold>& thresholds,
                                           double severity, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto trips_any = [&](const std::string& item, double value) {
    return std::any_of(thresholds.begin(), thresholds.end(),
                       [&](const auto& t) { return t.item_id == item && trips(t, value); });
  };
  auto has_threshold = [&](const std::string& item) {
    return std::any_of(thresholds.begin(), thresholds.end(),
                       [&](const auto& t) { return t.item_id == item; });
  };

  std::vector<domain::Answer> answers;
  answers.reserve(definition.items.size());
  for (const auto& item : definition.items) {
    const double roll = uniform(rng, 0, 1);
    domain::Answer a{item.id, false};
    switch (item.type) {
      case domain::ItemType::numeric: {
        const double range = item.max - item.min;
        double value = std::round(item.min + roll * 0.3 * range + severity * 0.3 * range);
        value = std::clamp(value, item.min, item.max);
        if (severity == 0 && trips_any(item.id, value)) value = item.min;
        a.value = value;
        break;
      }
      case domain::ItemType::boolean:
        if (item.news2_consciousness || has_threshold(item.id)) {
          // The calm answer is the one that trips nothing (false, unless a protocol alarms on false).
          const bool calm = trips_any(item.id, 0) && !trips_any(item.id, 1);
          const bool alarmed = severity >= (item.news2_consciousness ? 0.85 : 0.5);
          a.value = alarmed ? !calm : calm;
        } else {
          a.value = roll < 0.1 + 0.4 * severity;
        }
        break;
      case domain::ItemType::coded:
        if (item.options.empty()) continue;  // nothing valid to say
        a.value = severity >= 0.5 ? item.options.back() : item.options.front();
        break;
    }
    answers.push_back(std::move(a));
  }
  return answers;
}

}  // namespace vigil::sim
