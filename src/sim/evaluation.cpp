#include "sim/evaluation.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace vigil::sim {
namespace {

struct Firing {
  std::string patient_id;
  TimePoint at{};
};

// The first medium-or-higher change of each alert, by alert id.
std::vector<Firing> firings(const std::vector<AlertChangeSeen>& changes) {
  std::unordered_map<std::string, Firing> first;
  for (const auto& c : changes) {
    if (c.severity < domain::Severity::medium) continue;
    auto [it, inserted] = first.try_emplace(c.alert_id, Firing{c.patient_id, c.at});
    if (!inserted && c.at < it->second.at) it->second.at = c.at;
  }
  std::vector<Firing> out;
  out.reserve(first.size());
  for (auto& [id, f] : first) out.push_back(std::move(f));
  return out;
}

double minutes_of(Duration d) {
  return static_cast<double>(d.count()) / 60'000.0;
}

Duration overlap(TimePoint a_from, TimePoint a_to, TimePoint b_from, TimePoint b_to) {
  const TimePoint from = std::max(a_from, b_from);
  const TimePoint to = std::min(a_to, b_to);
  return to > from ? to - from : Duration(0);
}

}  // namespace

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return (values[mid - 1] + values[mid]) / 2;
}

Evaluation evaluate(const EvaluationInput& in) {
  Evaluation out;
  std::multimap<std::string, const EpisodeRecord*> episodes_of;
  for (const auto& e : in.episodes) episodes_of.emplace(e.patient_id, &e);
  const auto in_window = [&](const EpisodeRecord& e, TimePoint t) {
    return t >= e.onset && t <= e.end + in.grace;
  };

  const std::vector<Firing> fired = firings(in.changes);
  std::unordered_map<std::string, std::vector<TimePoint>> fired_on;
  for (const auto& f : fired) fired_on[f.patient_id].push_back(f.at);

  std::vector<double> delays;
  for (const auto& e : in.episodes) {
    if (e.onset >= in.end) continue;
    ++out.injected;
    if (e.peak > in.end) continue;
    ++out.evaluable;
    std::optional<TimePoint> first;
    if (auto it = fired_on.find(e.patient_id); it != fired_on.end()) {
      for (const TimePoint t : it->second) {
        if (in_window(e, t) && (!first || t < *first)) first = t;
      }
    }
    if (first) {
      ++out.detected;
      delays.push_back(minutes_of(*first - e.onset));
    }
  }
  if (out.evaluable > 0) out.recall = static_cast<double>(out.detected) / static_cast<double>(out.evaluable);
  out.median_delay_minutes = median(std::move(delays));

  for (const auto& f : fired) {
    if (f.at < in.start) continue;
    const auto [from, to] = episodes_of.equal_range(f.patient_id);
    const bool explained =
        std::any_of(from, to, [&](const auto& entry) { return in_window(*entry.second, f.at); });
    if (!explained) ++out.false_alerts;
  }

  if (in.end > in.start) {
    Duration monitored = (in.end - in.start) * static_cast<Duration::rep>(in.patients);
    for (const auto& e : in.episodes) monitored -= overlap(e.onset, e.end + in.grace, in.start, in.end);
    out.patient_days = std::max(0.0, minutes_of(monitored) / (24 * 60));
  }
  if (out.patient_days > 0) {
    out.false_alerts_per_100_patient_days = static_cast<double>(out.false_alerts) * 100.0 / out.patient_days;
  }
  return out;
}

}  // namespace vigil::sim
