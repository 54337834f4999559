#pragma once
// The demo simulator: drives a running Vigil server over real HTTP the way a multi-centre trial's
// wearables and phone apps would, watches the alerts it raises, and scores them against the
// deterioration episodes it injected (physiology.h, scenario.h, evaluation.h).
//
// What run() does, on one I/O thread of its own plus the calling thread:
// - subscribes to GET /v1/alerts/stream first (waiting up to `subscribe_timeout` for the answer),
//   with `staff_headers`, so no alert raised by its data is missed; reconnects with Last-Event-ID
//   when the stream drops;
// - then sends every enrolled patient's reading sets on the plan's schedule, in batches of up to
//   `batch_size` observations of ONE patient each, since a device key is bound to one patient
//   (POST /v1/observations; a partial batch goes after `flush_after`, so at the demo's rates, where
//   a patient's sets are seconds apart, most requests hold one set), and each diary
//   (POST /v1/questionnaire-responses), every request with its patient's `device_credential`,
//   over `connections` keep-alive connections,
//   one request in flight per connection and at most 4 * connections waiting; when that queue is
//   full the producer waits (the status line then shows "behind"). Effective and authored times
//   are the simulated times the readings are due at, from `clock`, the server's own clock;
// - every request has a deadline (`request_timeout`); on a timeout or a broken connection the same
//   body is sent again (same ids, so the server counts it once) after a back-off, and 503/429 are
//   retried after their Retry-After; other refusals are counted and reported, never retried;
// - on the calling thread: a status line and the high/critical alerts (console.h), and the probe,
//   called once per status line and every 50 ms while settling, never on the I/O thread (it may
//   read the database);
// - stops sending when `duration` (real time) has passed or hooks.stop_requested() returns true,
//   drains (waits up to `drain_timeout` for queued and in-flight requests; what is left is counted
//   as abandoned), waits up to `settle_timeout` for the probe's log lag to reach 0 so that the
//   last readings are scored, then until the alert stream has been quiet for 300 ms (at most 2 s),
//   then closes the stream and returns the summary.
//
// Ack latency is measured from a request's first send to its 2xx answer, retries included.
// Status-line rates and p99 cover the time since the previous status line.
//
// Thread safety: run() blocks the calling thread until the run is over; hooks are called on that
// thread only. `registry` and `clock` must outlive the call.
// Errors: run() never throws for a failure of the target: an unusable option or URL, a registry
// with nothing to simulate, or a server that cannot be reached at the start set SimSummary::error
// and return at once; failures during the run are counted.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "registry/registry.h"
#include "sim/summary.h"
#include "sim/wire.h"

namespace vigil::sim {

struct SimOptions {
  std::string url = "http://127.0.0.1:8080";  // http only; a path here prefixes every route
  double rate = 2000;                         // observations per real second, all patients together
  std::chrono::milliseconds duration{0};      // real time; 0: until hooks.stop_requested()
  std::uint64_t seed = 1;                     // the plan and physiology (ids are random per run)
  double episode_fraction = 0.05;
  double gap_fraction = 0.10;
  double artefact_probability = 0.004;  // per reading set of a patient outside an episode
  // Simulated span in which episode onsets and gaps are placed when `duration` is 0; otherwise
  // duration * speed.
  Duration episode_horizon = std::chrono::hours(4);
  unsigned connections = 4;
  std::size_t batch_size = 100;  // observations per request, 1..1000
  std::chrono::milliseconds flush_after{100};
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds subscribe_timeout{5'000};
  std::chrono::milliseconds drain_timeout{30'000};
  std::chrono::milliseconds settle_timeout{10'000};
  // The header a patient's device sends, e.g. {"X-API-Key", "vk_..."}; an empty name: none for that
  // patient. Called once per planned patient when the run starts, on the calling thread; what it
  // throws (std::exception) or an unusable header (check_header) becomes SimSummary::error. Unset:
  // no device credentials.
  std::function<Header(std::string_view patient_id)> device_credential;
  // Sent with every alert-stream subscription, e.g. {{"Authorization", "Bearer <jwt>"}}. The
  // simulator only reads the stream: it never acknowledges or resolves alerts.
  std::vector<Header> staff_headers;
  std::FILE* out = stdout;  // status and alert lines; null for none
  // Redraw the status line in place; unset: when `out` is a terminal.
  std::optional<bool> tty;
};

// What the server side reports about itself, for the status line and the summary.
struct SimProbe {
  std::uint64_t log_lag = 0;  // records appended to the durable log but not yet processed
  // Records in the durable log: observations plus questionnaire responses. In a fresh data
  // folder these are exactly the ones this run had acknowledged.
  std::uint64_t stored = 0;
};

struct SimHooks {
  std::function<SimProbe()> probe;       // optional
  std::function<bool()> stop_requested;  // optional; polled about every 50 ms
};

// Runs the simulation against the server at options.url. `clock` is the compressed simulated clock
// the server also uses; its speed sets how much simulated time a real second is.
SimSummary run(const SimOptions& options, const registry::Registry& registry, const ScaledClock& clock,
               const SimHooks& hooks = {});

}  // namespace vigil::sim
