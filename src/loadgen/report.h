#pragma once
// What one load run measured, and its two renderings: a human-readable block and one JSON line
// (for scripts/bench.sh to build tables from).
//
// Plain data; no synchronisation.
#include <cstdint>
#include <string>

#include "loadgen/histogram.h"

namespace vigil::loadgen {

// Outcome of each request, by class. `errors` are connection or protocol failures; `timeouts` are
// requests with no complete answer within the per-request timeout.
struct StatusCounts {
  std::uint64_t ok = 0;           // 2xx
  std::uint64_t too_many = 0;     // 429
  std::uint64_t unavailable = 0;  // 503
  std::uint64_t other = 0;        // any other status
  std::uint64_t errors = 0;
  std::uint64_t timeouts = 0;

  [[nodiscard]] std::uint64_t total() const {
    return ok + too_many + unavailable + other + errors + timeouts;
  }
  void merge(const StatusCounts& o);
};

// Counters of one load thread, merged into the report at the end.
struct RunStats {
  StatusCounts counts;
  std::uint64_t observations_acked = 0;  // observations in requests answered 2xx
  std::uint64_t unsent = 0;              // open loop: slots due in the window that were never sent (backlog)
  Histogram latency;                     // every request answered with any status, measured window only
  // The server's side of the same requests: from the first byte written to the complete answer, so
  // without the time a request waited in the generator for a free connection. Measured window only.
  Histogram service_ok;       // answered 2xx
  Histogram service_refused;  // answered 429 or 503
  // Answers that arrived inside the measured window, whatever their slot. In an open loop that has
  // fallen behind, slots due in the warm-up are still being served in the window: these counts are
  // what the server delivered per second, where `counts` is what became of the window's slots.
  StatusCounts completed;
  void merge(const RunStats& o);
};

// The alert-latency scenario's outcome (alert_probe.h). Latency runs from an alerting reading's
// scheduled send time to the arrival of the first alert event naming it on the SSE stream.
struct AlertLatencyStats {
  bool enabled = false;                 // the scenario ran; otherwise nothing below is reported
  std::uint64_t patients = 0;           // for one alerting reading each, after --alert-skip
  bool patients_exhausted = false;      // every patient had one; later readings were all normal
  std::uint64_t sent = 0;               // alerting readings sent in the measured window
  std::uint64_t rejected = 0;           // of those, not accepted (non-2xx, error, timeout)
  std::uint64_t opened = 0;             // matched by an `opened` event
  std::uint64_t updated = 0;            // matched by an `updated` event: the patient's alert was already open
  std::uint64_t missing = 0;            // accepted, but no event by the end of the wait
  std::uint64_t repeat_events = 0;      // further alerts for an already matched reading (e.g. NEWS2 too)
  std::uint64_t unmatched_events = 0;   // opened/updated events naming none of the alerting readings
  std::uint64_t unreadable_events = 0;  // stream events that were not alert-event JSON
  std::uint64_t stream_reconnects = 0;
  Histogram latency;

  [[nodiscard]] std::uint64_t matched() const { return opened + updated; }
};

struct Report {
  // What was asked for.
  std::string url;
  std::string scenario;
  std::string mode;        // "open" or "closed"
  double target_rate = 0;  // open loop, requests/s; 0 in closed loop
  unsigned connections = 0;
  unsigned threads = 0;
  double warmup_s = 0;
  // What happened in the measured window.
  double measured_s = 0;
  RunStats stats;
  AlertLatencyStats alerts;

  [[nodiscard]] double acknowledged_per_s() const;       // 2xx responses per second
  [[nodiscard]] double observations_per_s() const;       // acknowledged observations per second
  [[nodiscard]] double completed_ok_per_s() const;       // 2xx answers that arrived in the window, per second
  [[nodiscard]] double completed_refused_per_s() const;  // 429 and 503 answers likewise
};

// Several lines, for people.
std::string format_text(const Report& r);
// One line of JSON (no trailing newline); latencies in whole microseconds, rates in whole units
// per second. Keys:
// url scenario mode target_rate connections threads warmup_s measured_s requests acknowledged
// acknowledged_per_s observations observations_per_s unsent
// status{2xx,429,503,other,errors,timeouts} latency_us{min,mean,p50,p90,p99,p999,max}
// completed{2xx,429,503,other,errors,timeouts} completed_2xx_per_s completed_refused_per_s
// service_us{2xx{...},refused{...}} (each with the keys of latency_us). Every latency object also
// carries `count`, the answers it holds (its percentiles are 0 when that is 0).
// and, for the alert-latency scenario only, alert_latency{patients patients_exhausted sent rejected
// matched opened updated missing repeat_events unmatched_events unreadable_events stream_reconnects
// latency_us{min,mean,p50,p90,p99,p999,max}}
std::string format_json(const Report& r);

}  // namespace vigil::loadgen
