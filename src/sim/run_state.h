#pragma once
// What the simulator's I/O thread (the traffic and the alert watch) records and the calling thread
// reads for the status line and the summary. One mutex guards it all: updates come a few dozen
// times per second (per request and per alert event, never per observation), so contention is nil.
//
// Thread safety: every field of RunStats is guarded by RunState::mutex.
#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/severity.h"
#include "loadgen/histogram.h"
#include "sim/evaluation.h"

namespace vigil::sim {

// At most this many refusals are kept with their description, and this many alert lines wait to be
// printed (a flood beyond it is counted, not buffered).
inline constexpr std::size_t kMaxRefusalsKept = 5;
inline constexpr std::size_t kMaxPendingAlertLines = 200;

struct RunStats {
  // Traffic.
  std::uint64_t observations_generated = 0;
  std::uint64_t observations_sent = 0;
  std::uint64_t observations_acked = 0;
  std::uint64_t observations_duplicate = 0;
  std::uint64_t observations_refused = 0;
  std::uint64_t observations_abandoned = 0;
  std::uint64_t sets_skipped_in_gaps = 0;
  std::uint64_t responses_sent = 0;
  std::uint64_t responses_acked = 0;
  std::uint64_t responses_refused = 0;
  std::uint64_t responses_abandoned = 0;
  std::uint64_t requests_ok = 0;
  std::uint64_t requests_retried = 0;
  std::uint64_t transport_errors = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t requests_refused = 0;
  std::vector<std::string> refusals;
  loadgen::Histogram latency;         // the whole run
  loadgen::Histogram recent_latency;  // since the last status line
  std::uint64_t pending_jobs = 0;     // requests queued or in flight
  bool producer_done = false;
  std::chrono::milliseconds behind{0};  // real time the producer lags its schedule

  // Alerts.
  std::unordered_map<std::string, domain::Severity> alert_severity;  // by alert id, highest seen
  std::array<std::uint64_t, 5> alerts{};                             // by highest severity
  std::uint64_t alert_events = 0;
  std::uint64_t unreadable_events = 0;
  std::vector<AlertChangeSeen> firings;  // first medium-or-higher change of each alert
  std::vector<std::string> alert_lines;  // high/critical alerts not yet printed
  std::uint64_t alert_lines_suppressed = 0;
  std::chrono::steady_clock::time_point last_alert_event{};
  bool subscribed = false;  // the stream answered 200 at least once
  std::uint64_t stream_reconnects = 0;
  std::string stream_error;  // the last reason the stream failed or ended

  // The I/O thread's own failure (an exception escaping a coroutine); empty when none.
  std::string io_failure;
};

struct RunState {
  std::mutex mutex;
  RunStats stats;  // guarded by mutex
};

}  // namespace vigil::sim
