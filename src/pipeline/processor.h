#pragma once
// The processor: reads the durable intake log in order, runs the rules for each patient's readings
// on a bounded pool of workers, and turns their findings into alerts.
//
// Rounds. The consumer thread reads up to `batch` records after the last processed one, hands each
// to the worker that owns its patient (partition.h), waits for every worker to finish the round,
// then stores all of the round's findings together with "position = last seq of the round" in ONE
// alert-store transaction (AlertService::apply). A crash therefore replays at most the round in
// progress (and the deferred rounds of Position commits below), and replaying is harmless: the
// alert book merges a finding into the open alert of the same (patient, rule) and ignores one whose
// readings it has already merged.
//
// Position commits. A round with no findings changes nothing in the alert store but the position,
// and storing that costs a transaction per round (hundreds a second at full intake). Such rounds
// defer it: the position is stored with the next round that has findings, once
// `position_commit_records` records are uncommitted, when the log stays quiet for
// `position_flush_wait` (so an idle pipeline has its position stored), and on stop(). A crash
// therefore replays at most those records plus the round in progress; they raised nothing the
// first time, and the warm-up rebuilds the state they are evaluated against. stats().position and
// on_round report committed positions only.
//
// Commit linger. A round with findings is stored at once only when the previous commit is at
// least `commit_linger` of real time ago; otherwise its findings wait, with the rounds read after
// it, until the linger is over (or the log goes quiet that long, or stop()), and go into one
// transaction (Kafka's linger.ms; SQLite's cost is per transaction: the pages an alert, its
// indexes and the position touch are written once however many findings merged into them). While
// the pipeline keeps up, rounds are a few records and a busy patient's alert changes in nearly
// every one: without the linger that is a transaction, and a WAL write of the same pages, per
// round. The linger delays an alert by at most that long, and only when another commit was that
// recent.
//
// Order. A patient's records always go to the same worker, in log order; the findings of a round are
// applied in log order.
//
// Small rounds. A round of at most `inline_round_records` records is evaluated on the consumer
// thread itself, against the same workers' state, in log order: waking the workers and waiting for
// them costs more than the rules for a handful of readings (the usual round while the pipeline
// keeps up is a few records). Larger rounds, where the workers' parallelism pays, go to the pool.
//
// State. Each worker alone owns the PatientState of its patients (no locks on state). State lives in
// memory, so start() first replays the newest `warmup_records` records up to the committed position
// into it without raising alerts: NEWS2 windows, fever durations and missing-data clocks survive a
// restart.
//
// Missing data. Every `missing_data_scan` of clock time, between rounds, each worker checks the
// enrolled patients it holds state for (rules::evaluate_missing); the findings go through the same
// apply path. A patient is flagged once per silence: after the flag, the next flag needs a new
// reading and a new gap (one alert update per scan per silent patient would flood the event history).
// Enrolled patients without state are scanned too (Worker::scan_without_state): one who sent before
// the warm-up's window is judged on the newest stored reading (ProcessorOptions::last_reading), and
// one who never sent anything on the time since enrolment, or since this processor started when
// the patient was enrolled earlier (a node's first start would otherwise flag every past
// enrolment at once). Each is flagged once, until it sends.
//
// Time. Every "now" (alert times, scan schedule, latency) comes from the injected Clock, which may be
// a ManualClock (tests) or a ScaledClock (the demo). Only waits for the log and retry back-off are
// real time.
//
// Errors. Records that do not decode, and records of patients the registry does not know (or whose
// trial has no protocol), are skipped and counted. A failure to read the log or to store a round is
// logged and retried with bounded back-off until it succeeds or stop() is called; a round is never
// skipped (when stop() interrupts the retries, the round stays uncommitted and is replayed on the
// next start).
//
// Tracing. Each record's W3C traceparent (log::Record::trace) goes with its findings: the alert they
// open or update records the trace id (alerts::AlertContext::trace_ids), and the pipeline's log lines
// about a record name it. With ProcessorOptions::spans, each live record with a valid, sampled
// traceparent also yields one INTERNAL span "process <kind>", a child of the request's span.
//
// Metrics (ProcessorOptions::metrics; none when null): see pipeline/pipeline_metrics.h. Recorded once
// per committed round by the consumer thread; the lag gauge is computed at scrape time.
//
// Thread safety: start(), stop() and the destructor from one controlling thread; stats() from any
// thread at any time. The hooks in ProcessorOptions run on the processor's own threads.
// Ownership: the Log, Registry, AlertService and Clock are borrowed and must outlive the Processor.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "alerts/alert_service.h"
#include "common/clock.h"
#include "log/log.h"
#include "log/scrape_guard.h"
#include "observability/metrics.h"
#include "observability/span.h"
#include "registry/registry.h"

namespace vigil::pipeline {

namespace detail {
class Worker;
struct Counters;
class PipelineMetrics;
class AppendedRuns;
}  // namespace detail

// What one commit did; passed to ProcessorOptions::on_round. A records commit covers every round
// processed since the previous commit (see Position commits above).
struct RoundInfo {
  enum class Kind { records, missing_data_scan };
  Kind kind = Kind::records;
  std::uint64_t first_seq = 0;     // the round's first record; for a scan, the position
  std::uint64_t last_seq = 0;      // the position committed with the round
  std::size_t records = 0;         // records read (0 for a scan)
  std::size_t findings = 0;        // findings handed to the alert service
  std::size_t alert_events = 0;    // alerts opened or updated by them
  Duration latency{0};             // records rounds: clock now - appended_at of the newest record
  std::size_t store_attempts = 1;  // AlertService::apply calls it took
};

struct ProcessorOptions {
  unsigned workers = 2;                   // at least 1
  std::size_t batch = 2048;               // max records per round; at least 1
  std::size_t inline_round_records = 64;  // rounds this small run on the consumer (Small rounds); 0: none
  std::size_t worker_queue = 4096;        // max tasks queued per worker; the consumer blocks beyond it
  std::string consumer = "pipeline";      // the name the position is stored under in the alert store
  Duration missing_data_scan = std::chrono::minutes(1);  // clock time between scans; 0 disables
  std::uint64_t warmup_records = 1'000'000;  // newest committed records replayed into state on start
  std::chrono::milliseconds idle_wait{200};  // how long one Log::wait_for blocks when caught up
  // Position commits (see the header comment): a round without findings stores its position only
  // once this many records are processed and not yet committed, or once the log has been quiet for
  // position_flush_wait. 1: every round commits. At least 1.
  std::uint64_t position_commit_records = 1024;
  std::chrono::milliseconds position_flush_wait{10};
  // Linger (see Commit linger in the header comment): rounds with findings are stored at most once
  // per this much real time; the findings of the rounds in between wait and go into the same
  // transaction. 0: every round with findings commits at once.
  std::chrono::milliseconds commit_linger{2};
  // Back-off after a failed log read or store commit doubles from the first value up to the second.
  std::chrono::milliseconds retry_backoff{50};
  std::chrono::milliseconds max_retry_backoff{5000};
  // Where the processor's series go; null: no metrics. Must outlive the Processor. One Processor
  // per registry: the lag gauge can be registered once, so a second makes the constructor throw
  // std::invalid_argument.
  observability::MetricsRegistry* metrics = nullptr;
  // Tracing export: where the per-record spans go (see Tracing above); null: none. Must outlive the
  // Processor; record() is called on the worker threads. span_clock stamps them (null: system time).
  observability::SpanSink* spans = nullptr;
  const observability::SpanClock* span_clock = nullptr;
  // Missing-data scans: the effective time of a patient's newest stored reading, nullopt when none
  // (log::ObservationQuery::latest). Asked for enrolled patients the workers hold no state for:
  // those whose last reading is older than the warm-up, and those who never sent. Null: every
  // such patient counts as never having sent. Called on the worker threads; may throw.
  std::function<std::optional<TimePoint>(std::string_view patient_id)> last_reading;
  // Called on the consumer thread after each committed round (findings stored), just before
  // stats().position shows it. Must be quick, must not throw and must not call stop().
  std::function<void(const RoundInfo&)> on_round;
  // TEST ONLY: called with a worker's index for every record it takes in a round (on its thread, or
  // on the consumer's for a small round)
  // (not in warm-up), in the order it takes them, before decoding.
  std::function<void(std::size_t worker, const log::Record& record)> on_record_for_test;
};

// A snapshot of the counters; every field is read from an atomic, so a snapshot taken while the
// processor runs may mix values from neighbouring moments. The position is published last: once a
// snapshot shows a position, every counter includes the rounds up to it.
struct ProcessorStats {
  std::uint64_t records_processed = 0;   // evaluated by the rules (warm-up excluded)
  std::uint64_t records_skipped = 0;     // undecodable + unknown_patient
  std::uint64_t undecodable = 0;         // payload did not decode (or named another patient)
  std::uint64_t unknown_patient = 0;     // patient not in the registry, or their trial has no protocol
  std::uint64_t warmup_records = 0;      // replayed into state on start
  std::uint64_t findings = 0;            // committed findings, scans included
  std::uint64_t rounds = 0;              // committed record rounds
  std::uint64_t missing_data_scans = 0;  // completed scans
  std::uint64_t store_failures = 0;      // failed log reads and store commits (each was retried)
  std::uint64_t position = 0;            // committed position (0 until start() has read it)
  std::uint64_t lag = 0;                 // log.last_seq() - position
  std::int64_t last_latency_ms = 0;      // latest record round: clock now - newest record's appended_at
  std::int64_t max_latency_ms = 0;       // the largest last_latency_ms since construction
};

class Processor {
 public:
  using Options = ProcessorOptions;

  // Starts no thread. Throws std::invalid_argument when workers, batch, worker_queue or
  // position_commit_records is 0.
  Processor(ProcessorOptions options, log::Log& log, const registry::Registry& registry,
            alerts::AlertService& alerts, const Clock& clock);
  ~Processor();  // stop()s
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  // Starts the consumer thread and the workers; the consumer reads the committed position, warms up
  // and then processes. Later calls, and calls after stop(), do nothing.
  void start();
  // Finishes the round in progress (unless its commit keeps failing: see Errors above) and joins
  // every thread. Idempotent. Takes at most about idle_wait longer than the round itself.
  void stop();

  [[nodiscard]] ProcessorStats stats() const;

 private:
  using Findings = std::vector<std::pair<alerts::AlertContext, domain::Finding>>;

  void run_consumer();
  std::optional<std::uint64_t> load_position();
  void warm_up(std::uint64_t position);
  // Waits for the workers before it returns: `records` may be reused after it.
  bool run_round(const std::vector<log::Record>& records);
  // Stores the pending findings with the position of every round processed since the last commit
  // (pending_), then publishes it; true at once when nothing is pending. False when stop() came
  // first.
  bool commit_pending();
  // The consumer is caught up: waits for the log, or stores what is deferred once its linger is
  // over (findings) or the log has been quiet long enough (a position only). False when that
  // commit was interrupted by stop().
  bool wait_or_flush();
  bool scan_missing_data();
  // Ends a round the workers ran: waits until each has taken everything posted, then collects.
  Findings finish_round();
  // The round's findings from every worker, in log order; only between rounds.
  Findings collect_findings();
  // Stores the findings with the position info.last_seq; fills in info. False when stop() came
  // first.
  bool commit(const Findings& findings, RoundInfo& info);
  void publish_position(std::uint64_t seq);
  void shut_down_workers();
  // Runs `fn` until it does not throw, backing off between tries; false when stop() came first.
  template <typename Fn>
  bool retrying(const char* what, Fn&& fn);
  [[nodiscard]] bool stop_requested() const { return stop_requested_.load(std::memory_order_acquire); }

  // Constant after construction.
  const ProcessorOptions options_;
  log::Log& log_;
  const registry::Registry& registry_;
  alerts::AlertService& alerts_;
  const Clock& clock_;

  std::unique_ptr<detail::Counters> counters_;            // atomics: own synchronisation
  std::vector<std::unique_ptr<detail::Worker>> workers_;  // each worker: own synchronisation
  std::unique_ptr<detail::PipelineMetrics> metrics_;      // null without metrics; consumer thread

  // Used by the consumer thread only.
  std::uint64_t position_ = 0;    // committed (stored in the alert store)
  std::uint64_t read_to_ = 0;     // processed; > position_ while a position commit is deferred
  RoundInfo pending_;             // the rounds processed since the last commit (records == 0: none)
  TimePoint pending_appended_{};  // appended_at of the newest pending record
  Findings pending_findings_;     // findings of the pending rounds, in log order, not yet stored
  std::unique_ptr<detail::AppendedRuns> pending_runs_;   // their records, for the metrics at commit
  std::chrono::steady_clock::time_point last_commit_{};  // real time: the linger is a wait
  std::optional<std::chrono::steady_clock::time_point> quiet_since_;  // real time: a wait, like idle_wait
  TimePoint next_scan_{};
  // The last round's records, handed back to the next read to decode into (Log::read_reusing):
  // a fresh id, payload and traceparent string per record were most of the consumer's allocations.
  std::vector<log::Record> done_records_;
  TimePoint monitoring_since_{};  // clock time of start(): the never-sent patients' earliest baseline

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;  // back-off waits end early on stop()
  std::atomic<bool> stop_requested_{false};

  // Used by the controlling thread only.
  bool started_ = false;
  bool stopped_ = false;
  std::thread consumer_;
  // Last member: destroyed first, so the scrape-time lag gauge stops reading before the rest goes.
  std::unique_ptr<log::ScrapeGuard<Processor>> scrape_guard_;
};

}  // namespace vigil::pipeline
