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
#include <stdexcept>
#include <string>

#include "common/clock.h"
#include "loadgen/payload.h"
#include "loadgen/report.h"
#include "loadgen/request.h"
#include "loadgen/schedule.h"

namespace vigil::loadgen {

class LoadgenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
  std::string bearer_token;  // empty: no Authorization header
  std::uint64_t seed = 0;    // 0: a random seed per run (ids must differ between runs)
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
