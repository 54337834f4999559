#pragma once
// The result of a simulator run (simulator.h) and its printed form. Pure data.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "sim/evaluation.h"

namespace vigil::sim {

struct SimSummary {
  // Why the run could not start (bad option or URL, nothing to simulate, server unreachable);
  // empty when it ran. Every count below is then zero.
  std::string error;
  std::vector<std::string> warnings;  // e.g. the alert stream could not be subscribed

  double real_seconds = 0;  // from the first send to the end of the drain
  TimePoint sim_start{};
  TimePoint sim_end{};  // when sending stopped
  std::size_t patients = 0;

  // Observations: generated (queued), sent at least once, acknowledged (accepted + duplicates of
  // an earlier send), refused by the server, and abandoned (never acknowledged nor refused when
  // the drain timed out).
  std::uint64_t observations_generated = 0;
  std::uint64_t observations_sent = 0;
  std::uint64_t observations_acked = 0;
  std::uint64_t observations_duplicate = 0;  // part of acked
  std::uint64_t observations_refused = 0;
  std::uint64_t observations_abandoned = 0;
  std::uint64_t sets_skipped_in_gaps = 0;  // reading sets not sent because the patient paused
  // Questionnaire responses, counted the same way.
  std::uint64_t responses_sent = 0;
  std::uint64_t responses_acked = 0;
  std::uint64_t responses_refused = 0;
  std::uint64_t responses_abandoned = 0;
  // From the caller's probe after the drain; absent without a probe.
  std::optional<std::uint64_t> stored;

  std::uint64_t requests_ok = 0;
  std::uint64_t requests_retried = 0;  // 503 / 429 answers, each followed by a retry
  std::uint64_t transport_errors = 0;  // connect, write or read failures (each retried)
  std::uint64_t timeouts = 0;          // requests past their deadline (each retried)
  std::uint64_t requests_refused = 0;  // other 4xx/5xx answers (not retried)
  std::vector<std::string> refusals;   // the first few, described

  std::uint64_t latency_count = 0;
  std::chrono::nanoseconds latency_p50{0};
  std::chrono::nanoseconds latency_p99{0};
  std::chrono::nanoseconds latency_max{0};

  std::array<std::uint64_t, 5> alerts{};  // distinct alerts by their highest severity, low..critical
  std::uint64_t alert_events = 0;
  std::uint64_t stream_reconnects = 0;
  Evaluation evaluation;

  // Records acknowledged: what the durable log must hold afterwards.
  [[nodiscard]] std::uint64_t acknowledged_records() const { return observations_acked + responses_acked; }
  // True when the run started and, if a probe reported `stored`, it equals the records acknowledged.
  [[nodiscard]] bool consistent() const {
    return error.empty() && (!stored || *stored == acknowledged_records());
  }
};

// A multi-line human-readable summary, ending in a newline.
std::string format_summary(const SimSummary& summary);

}  // namespace vigil::sim
