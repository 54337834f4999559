#include "sim/summary.h"

#include <fmt/format.h>

#include <iterator>

#include "sim/console.h"

namespace vigil::sim {
namespace {

std::string percent(std::optional<double> fraction) {
  return fraction ? fmt::format("{:.1f} %", *fraction * 100) : "n/a";
}

}  // namespace

std::string format_summary(const SimSummary& s) {
  std::string out;
  auto it = std::back_inserter(out);
  if (!s.error.empty()) {
    fmt::format_to(it, "simulation did not run: {}\n", s.error);
    return out;
  }
  const double sim_hours = std::chrono::duration<double, std::ratio<3600>>(s.sim_end - s.sim_start).count();
  fmt::format_to(it, "Simulation summary: {} patients, {:.1f} s real, {:.1f} h simulated ({} to {})\n",
                 s.patients, s.real_seconds, sim_hours, format_rfc3339(s.sim_start),
                 format_rfc3339(s.sim_end));
  const double rate = s.real_seconds > 0 ? static_cast<double>(s.observations_acked) / s.real_seconds : 0;
  fmt::format_to(
      it, "  observations   sent {}  acknowledged {} ({} duplicates)  refused {}  abandoned {}  ({:.0f}/s)\n",
      s.observations_sent, s.observations_acked, s.observations_duplicate, s.observations_refused,
      s.observations_abandoned, rate);
  fmt::format_to(it, "  diaries        sent {}  acknowledged {}  refused {}  abandoned {}\n",
                 s.responses_sent, s.responses_acked, s.responses_refused, s.responses_abandoned);
  if (s.stored) {
    fmt::format_to(it, "  durable log    {} records stored, {} acknowledged: {}\n", *s.stored,
                   s.acknowledged_records(), *s.stored == s.acknowledged_records() ? "equal" : "MISMATCH");
  } else {
    fmt::format_to(it, "  durable log    not probed\n");
  }
  fmt::format_to(
      it, "  requests       ok {}  retried after 503/429 {}  transport errors {}  timeouts {}  refused {}\n",
      s.requests_ok, s.requests_retried, s.transport_errors, s.timeouts, s.requests_refused);
  for (const auto& r : s.refusals) fmt::format_to(it, "    refused: {}\n", r);
  if (s.latency_count > 0) {
    fmt::format_to(it, "  ack latency    p50 {}  p99 {}  max {}  ({} requests)\n",
                   format_latency(s.latency_p50), format_latency(s.latency_p99),
                   format_latency(s.latency_max), s.latency_count);
  }
  fmt::format_to(it, "  alerts         low {}  low-medium {}  medium {}  high {}  critical {}  ({} events)\n",
                 s.alerts[0], s.alerts[1], s.alerts[2], s.alerts[3], s.alerts[4], s.alert_events);
  const auto& e = s.evaluation;
  fmt::format_to(it, "  episodes       injected {}  evaluable {}  detected {}  recall {}\n", e.injected,
                 e.evaluable, e.detected, percent(e.recall));
  fmt::format_to(it, "  detection      median delay {} simulated minutes from onset to first medium+ alert\n",
                 e.median_delay_minutes ? fmt::format("{:.1f}", *e.median_delay_minutes) : "n/a");
  fmt::format_to(
      it, "  false alerts   {} medium+ outside episodes over {:.1f} patient-days: {} per 100 patient-days\n",
      e.false_alerts, e.patient_days,
      e.false_alerts_per_100_patient_days ? fmt::format("{:.2f}", *e.false_alerts_per_100_patient_days)
                                          : "n/a");
  if (s.sets_skipped_in_gaps > 0) {
    fmt::format_to(it, "  gaps           {} reading sets not sent while patients paused\n",
                   s.sets_skipped_in_gaps);
  }
  for (const auto& w : s.warnings) fmt::format_to(it, "  warning: {}\n", w);
  return out;
}

}  // namespace vigil::sim
