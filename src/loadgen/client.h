#pragma once
// The load generator's HTTP/1.1 client: N keep-alive connections on a few threads (one by default,
// because on the benchmark machine it shares two cores with the server under test), each connection
// a coroutine on its thread's own io_context. Requests are prebuilt bytes (request.h) written with
// one gathered write; answers are parsed with Beast.
//
// Modes:
// - closed: each connection sends its next request as soon as the previous answer arrived; the
//   throughput ceiling. Latency is completion - send.
// - open: requests follow a fixed schedule at `rate` per second in aggregate (schedule.h); a free
//   connection takes the next slot, waits for its intended time if that is still ahead, and sends.
//   Latency is completion - intended time, so time spent waiting for a busy connection counts
//   (coordinated-omission correction). Raise `connections` until `unsent` stays 0.
//
// Scenario alert-latency (always open loop): see alert_probe.h. Before the load starts one SSE
// connection subscribes to GET /v1/alerts/stream (with `stream_headers`, or the static headers
// when none are given); after the run the generator waits up to `alert_wait` for the alerts of
// readings still pending, then reports ingest-to-alert latency from each alerting reading's
// scheduled send time to its alert's arrival on the stream.
//
// Credentials: with `credentials`, connection i holds line i mod N (credentials.h) and every body
// it sends is about that line's patient; without, patients are drawn from `patients`.
//
// Every request has a deadline (`timeout`); a request past it is cancelled, its connection closed
// and reopened, and it counts as a timeout. Connection failures count as errors and the connection
// is reopened after a short pause. Only requests that start inside the measured window (after the
// warm-up) are counted.
//
// Thread safety: run_load() blocks the caller until the run is over; concurrent calls are
// independent. Errors: LoadgenError for an unusable option, URL or address, or when no connection
// to the target can be opened at the start; failures during the run are counted, never thrown.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "loadgen/credentials.h"
#include "loadgen/error.h"
#include "loadgen/payload.h"
#include "loadgen/report.h"
#include "loadgen/request.h"
#include "loadgen/schedule.h"

namespace vigil::loadgen {

enum class Mode { open, closed };

struct LoadOptions {
  std::string url = "http://127.0.0.1:8080";  // http only; a path here prefixes every route
  Scenario scenario = Scenario::single;
  Mode mode = Mode::closed;
  double rate = 1000;  // open loop: aggregate requests per second
  unsigned connections = 32;
  unsigned threads = 1;                                          // capped at `connections`
  std::chrono::nanoseconds duration = std::chrono::seconds(10);  // measured part
  std::chrono::nanoseconds warmup = std::chrono::seconds(2);     // before it, not counted
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);   // per request
  std::uint64_t max_requests = 0;  // 0: unlimited; otherwise stop after sending this many in all
  PatientSpace patients;
  std::string bearer_token;             // empty: no Authorization header from it
  std::vector<Header> headers;          // static headers on every request
  std::vector<Credential> credentials;  // empty: patients from `patients`, static headers only
  std::uint64_t seed = 0;               // 0: a random seed per run (ids must differ between runs)
  // alert-latency only.
  double alert_fraction = 0.01;        // share of readings that must alert, (0, 1]
  std::uint64_t alert_skip = 0;        // alerting patients start after this many (AlertProbe)
  std::vector<Header> stream_headers;  // for GET /v1/alerts/stream; empty: `headers` and the token
  std::chrono::nanoseconds alert_wait = std::chrono::seconds(5);  // after the run, for late alerts
};

struct TargetUrl {
  std::string host;         // for resolving
  std::string port;         // "80" when absent
  std::string host_header;  // host[:port] as written
  std::string path_prefix;  // "" or "/prefix" (no trailing slash)
};

// Parses "http://host[:port][/prefix]"; throws LoadgenError on anything else (https included).
TargetUrl parse_target_url(const std::string& url);

// Runs one load test and reports it. `ticks` times requests and schedules (SteadyTicks in real
// use); `wall` stamps effective/authored times into bodies. Both must outlive the call.
Report run_load(const LoadOptions& options, const Ticks& ticks, const Clock& wall);
// Same, with the steady clock and the system clock.
Report run_load(const LoadOptions& options);

}  // namespace vigil::loadgen
