#include "sim/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace vigil::sim {
namespace {

using std::chrono::minutes;

// Stream salts, so that profiles, episodes, gaps and readings draw from unrelated sequences.
constexpr std::uint64_t kProfileStream = 0x70726f66696c65ULL;
constexpr std::uint64_t kEpisodeStream = 0x657069736f6465ULL;
constexpr std::uint64_t kVitalsStream = 0x766974616c73ULL;
constexpr std::uint64_t kDiaryStream = 0x6469617279ULL;

// Room after a ramp for the last readings to be scored and alerted on within the horizon.
constexpr Duration kDetectionRoom = minutes(15);

void validate(const ScenarioOptions& o) {
  if (!(o.rate > 0)) throw std::invalid_argument("rate must be above 0");
  if (!(o.speed > 0)) throw std::invalid_argument("speed must be above 0");
  if (!(o.episode_fraction >= 0 && o.episode_fraction <= 1)) {
    throw std::invalid_argument("episode fraction must be within [0, 1]");
  }
  if (!(o.gap_fraction >= 0 && o.gap_fraction <= 1)) {
    throw std::invalid_argument("gap fraction must be within [0, 1]");
  }
  if (o.horizon.count() <= 0) throw std::invalid_argument("horizon must be positive");
  if (o.lead_in.count() < 0) throw std::invalid_argument("lead-in must not be negative");
}

// Uniform in [low, high] (just `low` when high <= low).
TimePoint uniform_time(std::mt19937_64& rng, TimePoint low, TimePoint high) {
  if (high <= low) return low;
  return low + Duration(std::uniform_int_distribution<Duration::rep>(0, (high - low).count())(rng));
}

Duration uniform_phase(std::mt19937_64& rng, Duration interval) {
  return Duration(std::uniform_int_distribution<Duration::rep>(0, interval.count() - 1)(rng));
}

// The first `count` of a seeded permutation of `candidates`.
std::vector<std::size_t> choose(std::mt19937_64& rng, std::vector<std::size_t> candidates,
                                std::size_t count) {
  count = std::min(count, candidates.size());
  for (std::size_t i = 0; i < count; ++i) {
    const auto j = std::uniform_int_distribution<std::size_t>(i, candidates.size() - 1)(rng);
    std::swap(candidates[i], candidates[j]);
  }
  candidates.resize(count);
  return candidates;
}

std::size_t share(std::size_t n, double fraction) {
  return static_cast<std::size_t>(std::llround(static_cast<double>(n) * fraction));
}

}  // namespace

std::size_t Plan::episode_count() const {
  return static_cast<std::size_t>(
      std::count_if(patients.begin(), patients.end(), [](const auto& p) { return p.episode.has_value(); }));
}

std::size_t Plan::gap_count() const {
  return static_cast<std::size_t>(
      std::count_if(patients.begin(), patients.end(), [](const auto& p) { return p.gap.has_value(); }));
}

Plan make_plan(const registry::Registry& registry, const ScenarioOptions& options, TimePoint start) {
  validate(options);
  Plan plan;
  plan.seed = options.seed;
  plan.start = start;
  plan.horizon = options.horizon;

  std::vector<std::string> trial_ids;
  registry.for_each_patient([&](const registry::Patient& p) {
    if (p.status != registry::PatientStatus::enrolled) return;
    auto known = std::find(trial_ids.begin(), trial_ids.end(), p.trial_id);
    std::size_t protocol = static_cast<std::size_t>(known - trial_ids.begin());
    if (known == trial_ids.end()) {
      auto found = registry.protocol(p.trial_id);
      if (!found) return;
      trial_ids.push_back(p.trial_id);
      plan.protocols.push_back(std::move(found));
    }
    PatientPlan pp;
    pp.id = p.id;
    pp.site_id = p.site_id;
    pp.device_id = fmt::format("wear-{:05}", plan.patients.size() + 1);
    pp.protocol = protocol;
    pp.profile =
        make_profile(mix_seed(options.seed ^ kProfileStream, plan.patients.size()), p.settings.spo2_scale);
    plan.patients.push_back(std::move(pp));
  });
  const std::size_t n = plan.patients.size();
  if (n == 0) throw std::invalid_argument("the registry has no enrolled patient to simulate");

  std::mt19937_64 rng(options.seed);
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  const auto episodic = choose(rng, all, share(n, options.episode_fraction));
  const TimePoint earliest = start + options.lead_in;
  for (const std::size_t i : episodic) {
    Episode e = make_episode(mix_seed(options.seed ^ kEpisodeStream, i), start);
    e.onset = uniform_time(rng, earliest, start + options.horizon - e.ramp - kDetectionRoom);
    plan.patients[i].episode = e;
  }

  std::vector<std::size_t> others;
  for (std::size_t i = 0; i < n; ++i) {
    if (!plan.patients[i].episode) others.push_back(i);
  }
  const TimePoint horizon_end = start + options.horizon;
  Duration paused{0};  // gap time within the horizon, all patients together
  for (const std::size_t i : choose(rng, others, share(others.size(), options.gap_fraction))) {
    Gap g;
    g.from = uniform_time(rng, earliest, horizon_end);
    g.to = g.from + minutes(std::uniform_int_distribution<int>(20, 120)(rng));
    plan.patients[i].gap = g;
    paused += std::min(g.to, horizon_end) - g.from;
  }

  // Simulated milliseconds between one patient's sets so that n patients make `rate` per real
  // second, shortened by the share of the horizon spent in gaps so that the average holds (by at
  // most half: gaps longer than a very short horizon must not double the rate after it).
  const double active = 1.0 - static_cast<double>(paused.count()) /
                                  (static_cast<double>(n) * static_cast<double>(options.horizon.count()));
  const double interval_ms = static_cast<double>(n) * kObservationsPerSet * options.speed * 1000.0 /
                             options.rate * std::max(active, 0.5);
  plan.vitals_interval = Duration(std::max<Duration::rep>(1, std::llround(interval_ms)));
  for (auto& p : plan.patients) {
    p.vitals_phase = uniform_phase(rng, plan.vitals_interval);
    p.diary_phase = uniform_phase(rng, plan.diary_interval);
  }
  return plan;
}

std::uint64_t vitals_seed(const Plan& plan, std::size_t patient, std::uint64_t round) {
  return mix_seed(mix_seed(plan.seed ^ kVitalsStream, patient), round);
}

std::uint64_t diary_seed(const Plan& plan, std::size_t patient, std::uint64_t round) {
  return mix_seed(mix_seed(plan.seed ^ kDiaryStream, patient), round);
}

Schedule::Schedule(const std::vector<Duration>& phases, Duration interval, TimePoint start)
    : phases_(phases), interval_(interval), start_(start) {
  if (phases_.empty()) throw std::invalid_argument("a schedule needs at least one patient");
  if (interval_.count() <= 0) throw std::invalid_argument("a schedule needs a positive interval");
  for (const auto& p : phases_) {
    if (p.count() < 0 || p >= interval_) throw std::invalid_argument("phases must lie within the interval");
  }
  order_.resize(phases_.size());
  std::iota(order_.begin(), order_.end(), 0);
  std::stable_sort(order_.begin(), order_.end(),
                   [&](std::size_t a, std::size_t b) { return phases_[a] < phases_[b]; });
}

Schedule::Slot Schedule::peek() const {
  const std::size_t n = order_.size();
  Slot s;
  s.patient = order_[taken_ % n];
  s.round = taken_ / n;
  s.due = start_ + phases_[s.patient] + interval_ * static_cast<Duration::rep>(s.round);
  return s;
}

Schedule vitals_schedule(const Plan& plan) {
  std::vector<Duration> phases;
  phases.reserve(plan.patients.size());
  for (const auto& p : plan.patients) phases.push_back(p.vitals_phase);
  return Schedule(phases, plan.vitals_interval, plan.start);
}

Schedule diary_schedule(const Plan& plan) {
  std::vector<Duration> phases;
  phases.reserve(plan.patients.size());
  for (const auto& p : plan.patients) phases.push_back(p.diary_phase);
  return Schedule(phases, plan.diary_interval, plan.start);
}

}  // namespace vigil::sim
