#pragma once
// The simulation plan: which enrolled patients take part, which of them develop a deterioration
// episode (and when), which pause sending for a while, and when each one sends.
//
// Sending. Every patient sends one full reading set (kObservationsPerSet observations: heart rate,
// respiration, SpO2, temperature, blood-pressure panel) every `vitals_interval` of simulated time,
// at its own phase within the interval, so the aggregate rate is
//   patients * kObservationsPerSet / vitals_interval (simulated) = `rate` per real second
// at the clock's `speed` (2,000 patients at 2,000 observations/s and speed 60: a set every 5
// simulated minutes). Patients inside a gap skip their sets, so the interval is shortened by the
// share of patient-time the gaps take within the horizon (about 3 % with the defaults): averaged
// over the horizon the rate is as asked, a little above it outside gaps. Each patient also answers
// the trial's diary once per simulated day at its own time of day (when the trial has a
// questionnaire).
//
// Episodes and gaps. round(patients * episode_fraction) patients, chosen by the seed, get one episode
// (physiology.h) whose onset is uniform in [start + lead_in, start + horizon - ramp - 15 min], so
// that, in a run as long as the horizon, every ramp completes with time left to detect it.
// round(others * gap_fraction) of the remaining patients get one gap of 20-120 simulated minutes
// starting in [start + lead_in, start + horizon). Everything is a pure function of the registry,
// the options and the seed.
//
// Thread safety: a Plan is an immutable value once made; Schedule is not synchronised.
// Errors: make_plan throws std::invalid_argument for a rate or speed <= 0, fractions outside [0, 1],
// a non-positive horizon, or a registry without enrolled patients.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "registry/registry.h"
#include "rules/protocol.h"
#include "sim/physiology.h"

namespace vigil::sim {

inline constexpr int kObservationsPerSet = 5;

struct ScenarioOptions {
  std::uint64_t seed = 1;
  double rate = 2000;  // observations per real second, all patients together
  double speed = 60;   // simulated seconds per real second (the ScaledClock's speed)
  double episode_fraction = 0.05;
  double gap_fraction = 0.10;
  Duration horizon = std::chrono::hours(4);     // simulated; where onsets and gaps are placed
  Duration lead_in = std::chrono::minutes(10);  // simulated; baseline data before any onset
};

struct Gap {
  TimePoint from{};
  TimePoint to{};  // exclusive
};

struct PatientPlan {
  std::string id;
  std::string site_id;
  std::string device_id;     // "wear-00001", by position in the plan
  std::size_t protocol = 0;  // index into Plan::protocols
  PatientProfile profile;
  std::optional<Episode> episode;
  std::optional<Gap> gap;
  Duration vitals_phase{};  // first reading set at start + vitals_phase
  Duration diary_phase{};   // first diary at start + diary_phase

  // False inside the gap: the patient sends nothing then.
  [[nodiscard]] bool sending(TimePoint at) const { return !gap || at < gap->from || at >= gap->to; }
};

struct Plan {
  std::uint64_t seed = 1;
  TimePoint start{};
  Duration horizon{};
  Duration vitals_interval{};
  Duration diary_interval = std::chrono::hours(24);
  std::vector<PatientPlan> patients;                              // enrolled patients, in registry order
  std::vector<std::shared_ptr<const rules::Protocol>> protocols;  // one per trial in the plan

  [[nodiscard]] std::size_t episode_count() const;
  [[nodiscard]] std::size_t gap_count() const;
};

// Plans a run that starts at simulated time `start`. Patients of trials without a protocol are
// left out (the registry guarantees there are none).
Plan make_plan(const registry::Registry& registry, const ScenarioOptions& options, TimePoint start);

// Per-event seeds, independent of the order events are generated in.
std::uint64_t vitals_seed(const Plan& plan, std::size_t patient, std::uint64_t round);
std::uint64_t diary_seed(const Plan& plan, std::size_t patient, std::uint64_t round);

// A cyclic send schedule: round r of patient p is due at start + phase[p] + r * interval. Slots come
// out in due order (patients in phase order within a round), so a producer that takes every slot due
// by "now" sends each patient's data in time order. Phases must lie in [0, interval).
class Schedule {
 public:
  struct Slot {
    std::size_t patient = 0;
    std::uint64_t round = 0;
    TimePoint due{};
  };

  // `phases` non-empty and `interval` > 0 (std::invalid_argument otherwise).
  Schedule(const std::vector<Duration>& phases, Duration interval, TimePoint start);

  [[nodiscard]] Slot peek() const;
  void pop() { ++taken_; }
  [[nodiscard]] std::uint64_t taken() const { return taken_; }

 private:
  std::vector<std::size_t> order_;  // patients by phase
  std::vector<Duration> phases_;
  Duration interval_;
  TimePoint start_;
  std::uint64_t taken_ = 0;
};

Schedule vitals_schedule(const Plan& plan);
Schedule diary_schedule(const Plan& plan);

}  // namespace vigil::sim
