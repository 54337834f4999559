#pragma once
// Optional export of finished spans to an OpenTelemetry collector as OTLP/HTTP JSON
// (POST http://HOST:PORT/v1/traces, Content-Type application/json; otlp_json.h has the body).
//
// record() never blocks on the network: it appends to a bounded in-memory queue under a short
// mutex, and a span that finds the queue full is dropped and counted. One background thread sends
// batches of up to `batch_size` spans, as soon as a batch is full or every `flush_interval`,
// whichever comes first. A batch the collector does not accept (no connection, timeout, non-2xx) is
// counted and dropped, never retried: tracing must not add load to a collector that is struggling,
// nor hold memory for it. Failures are logged at warn at most once per `warn_interval` (measured on
// the injected Ticker), naming how many batches failed since the last warning.
//
// Shutdown: stop() sends what is queued for at most `shutdown_grace` more (a failing collector ends
// it at the first failed batch); spans still queued then are counted in dropped_at_shutdown. Spans
// recorded after stop() are dropped the same way.
//
// Thread safety: record() and stats() from any thread; start() and stop() from one controlling
// thread. Ownership: the Ticker is borrowed and must outlive the exporter.
// Errors: the constructor throws std::invalid_argument for a bad endpoint or a zero size.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/ticker.h"
#include "observability/span.h"

namespace vigil::observability {

class OtlpHttpClient;

struct OtlpExporterOptions {
  std::string endpoint;  // "http://HOST:PORT[/PATH]"; PATH defaults to /v1/traces
  std::string service_name = "vigil";
  std::size_t queue_size = 2048;  // spans waiting to be sent; beyond it, record() drops
  std::size_t batch_size = 256;   // spans per request
  std::chrono::milliseconds flush_interval{2'000};
  std::chrono::milliseconds timeout{2'000};  // one request: connect + write + read
  std::chrono::milliseconds shutdown_grace{5'000};
  std::chrono::milliseconds warn_interval{60'000};
};

struct OtlpExporterStats {
  std::uint64_t recorded = 0;             // spans accepted into the queue
  std::uint64_t exported = 0;             // spans the collector accepted
  std::uint64_t dropped_queue_full = 0;   // spans refused by record() because the queue was full
  std::uint64_t failed_batches = 0;       // requests the collector did not accept
  std::uint64_t failed_spans = 0;         // spans in those requests
  std::uint64_t dropped_at_shutdown = 0;  // spans still queued when stop() gave up, or recorded after
};

class OtlpExporter final : public SpanSink {
 public:
  OtlpExporter(OtlpExporterOptions options, const Ticker& ticker);
  ~OtlpExporter() override;  // stop()s
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  // Starts the sending thread. Spans recorded before start() wait in the queue (still bounded).
  void start();
  void record(Span span) noexcept override;
  // Flushes within shutdown_grace (plus at most one request's timeout) and joins. Idempotent.
  void stop();

  [[nodiscard]] OtlpExporterStats stats() const;

 private:
  void run();
  // Sends one batch; false when the collector did not take it.
  bool send(std::vector<Span> batch, std::chrono::milliseconds timeout);
  std::vector<Span> take_batch();  // requires mu_

  // Constant after construction.
  const OtlpExporterOptions options_;
  const Ticker& ticker_;

  // Used by the sending thread only.
  std::unique_ptr<OtlpHttpClient> client_;
  std::chrono::nanoseconds last_warning_{};
  bool warned_ = false;
  std::uint64_t failures_since_warning_ = 0;

  mutable std::mutex mu_;
  std::condition_variable wake_;  // a full batch, or stop()
  std::deque<Span> queue_;        // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  OtlpExporterStats stats_;       // guarded by mu_

  // Used by the controlling thread only.
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace vigil::observability
