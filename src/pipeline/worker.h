#pragma once
// One rule-evaluation worker of the Processor (internal to the pipeline module): a thread, its
// bounded task queue, and the PatientState of every patient partitioned to it.
//
// Thread safety: post() is for the consumer thread; every task runs on the worker's own thread, which
// alone touches the patient states. The findings buffer is handed over by the round protocol: the
// worker appends to it until it takes an end_round task and counts the round's latch down; the
// consumer reads it with take_findings() only after the latch opened and before it posts again.
// A live record's findings carry the trace id of its traceparent (log::Record::trace) in their
// AlertContext, and the worker's log lines about a record name that trace id. With a SpanSink, each
// live record with a valid, sampled traceparent becomes one INTERNAL span (processor.h, Tracing).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <latch>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "alerts/alert_book.h"
#include "common/clock.h"
#include "domain/finding.h"
#include "log/log.h"
#include "observability/span.h"
#include "pipeline/bounded_queue.h"
#include "registry/registry.h"
#include "rules/patient_state.h"

namespace vigil::pipeline::detail {

// Counters the workers and the consumer share; all relaxed atomics (they order nothing).
struct Counters {
  std::atomic<std::uint64_t> processed{0};
  std::atomic<std::uint64_t> undecodable{0};
  std::atomic<std::uint64_t> unknown_patient{0};
  std::atomic<std::uint64_t> warmup{0};
  std::atomic<std::uint64_t> findings{0};
  std::atomic<std::uint64_t> rounds{0};
  std::atomic<std::uint64_t> scans{0};
  std::atomic<std::uint64_t> store_failures{0};
  std::atomic<std::uint64_t> position{0};
  std::atomic<std::int64_t> last_latency_ms{0};
  std::atomic<std::int64_t> max_latency_ms{0};
  std::atomic<bool> warned_undecodable{false};  // undecodable records are logged once per process
};

struct Task {
  enum class Kind {
    record,         // evaluate and keep the findings
    warmup_record,  // evaluate into state only
    missing_scan,   // evaluate_missing at `now` for every enrolled patient held
    end_round,      // count `round_done` down
    exit,           // leave the thread
  };
  Kind kind = Kind::record;
  // record, warmup_record: owned by the consumer, which keeps it unchanged until the round's
  // end_round (Processor::finish_round), and then reuses its strings for the next read.
  const log::Record* record = nullptr;
  TimePoint now{};
  TimePoint monitoring_since{};  // missing_scan: when the processor started (see Worker::scan)
  std::latch* round_done = nullptr;
};

// A finding tagged with the seq of the record that raised it (0 for missing-data scans), so that the
// consumer can put the round's findings back in log order.
struct SeqFinding {
  std::uint64_t seq = 0;
  alerts::AlertContext context;
  domain::Finding finding;
};

using RecordHook = std::function<void(std::size_t worker, const log::Record& record)>;
// The effective time of a patient's newest stored reading, or nullopt when none is stored. Called
// on a worker's thread during missing-data scans, for enrolled patients it holds no state for; may
// throw on a storage error.
using LastReadingLookup = std::function<std::optional<TimePoint>(std::string_view patient_id)>;

// Where a worker's per-record spans go; a null sink: none; a null clock: system time.
struct SpanOutput {
  observability::SpanSink* sink = nullptr;
  const observability::SpanClock* clock = nullptr;
};

// What became of one record.
enum class RecordOutcome { evaluated, undecodable, unknown_patient };

class Worker {
 public:
  // `index` of `workers` (the partition this worker owns: pipeline/partition.h).
  Worker(std::size_t index, std::size_t workers, std::size_t queue_capacity, const registry::Registry& registry,
         Counters& counters, RecordHook on_record, SpanOutput spans = {}, LastReadingLookup last_reading = {});
  ~Worker();  // joins; the consumer must have posted exit first when the thread started
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  void post(Task task);  // blocks while the queue is full
  // Evaluates a live record on the calling thread, as a `record` task would on the worker's. Only
  // for the consumer between rounds (after a round's latch opened, before it posts again): the
  // worker's thread is then waiting on its empty queue, and the latch and the queue's lock order
  // the state's hand-over both ways. Saves a small round two thread wake-ups per worker.
  void process_between_rounds(const log::Record& record);
  void join();
  std::vector<SeqFinding> take_findings();

 private:
  struct Slot {
    rules::PatientState state;
    // last_reading() when the patient was last flagged missing: no new flag until data arrives again.
    std::optional<TimePoint> missing_flagged_for;
  };

  void run();
  RecordOutcome process(const log::Record& record, bool live);
  // process() for a live record, recording its span when the record carries a sampled trace.
  void process_live(const log::Record& record);
  // Missing data: every enrolled patient with state, then (scan_without_state) every enrolled patient
  // of this partition without: never sent anything, or last sent before the warm-up's window.
  void scan(TimePoint now, TimePoint monitoring_since);
  void scan_without_state(TimePoint now, TimePoint monitoring_since);
  void skip_undecodable(const log::Record& record, bool live);

  // Constant after construction.
  const std::size_t index_;
  const std::size_t workers_;
  const registry::Registry& registry_;
  Counters& counters_;
  const RecordHook on_record_;
  const SpanOutput spans_;
  const LastReadingLookup last_reading_;

  BoundedQueue<Task> queue_;  // own synchronisation
  std::thread thread_;

  // Worker thread, or the consumer between rounds (process_between_rounds).
  std::unordered_map<std::string, Slot> patients_;
  // Patients flagged by scan_without_state: not again until they send (then they have a slot).
  std::unordered_set<std::string> flagged_without_state_;
  bool warned_lookup_ = false;  // a failed last-reading lookup is logged once per worker
  // Worker thread during a round, consumer between rounds (see above).
  std::vector<SeqFinding> findings_;
};

}  // namespace vigil::pipeline::detail
