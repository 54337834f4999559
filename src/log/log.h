#pragma once
// The durable intake log: the seam between "we accepted this reading" and "we processed it".
//
// An observation or questionnaire response is acknowledged to its sender (HTTP 202) only after the
// log says it is durable, and every consumer (the per-patient pipeline) reads it back from here in
// one global order (seq). The interface is broker-neutral: the embedded implementation is SQLite
// (log/sqlite_log.h); a Kafka one can implement the same contract.
//
// Thread safety: every member function of a Log may be called from any thread concurrently.
// Ownership: the Log owns the items handed to try_append; callbacks get their results by value.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace vigil::log {

enum class RecordKind : std::uint8_t {
  observation = 1,
  questionnaire_response = 2,
};

// One thing to append. `id` is the client's idempotency key: appending an id the log already holds
// stores nothing and reports the original's seq, as a duplicate when the content is the same and
// as a conflict when it is not (see same_content).
struct AppendItem {
  RecordKind kind = RecordKind::observation;
  std::string id;
  std::string patient_id;
  std::string code;  // LOINC for observations, questionnaire id for responses
  TimePoint effective_time{};
  std::string payload;  // opaque bytes (canonical JSON written by the domain codec)
  // W3C traceparent of the request that carried the item; empty when untraced. Stored as given and
  // returned in Record::trace, so the pipeline can tie what it raises to the request. The default
  // member initializer keeps positional initializers that stop at `payload` warning-free.
  std::string trace{};
};

// A stored item. Sequence numbers start at 1, are dense (no gaps) and never reused.
struct Record {
  std::uint64_t seq = 0;
  RecordKind kind = RecordKind::observation;
  std::string id;
  std::string patient_id;
  std::string code;
  TimePoint effective_time{};
  std::string payload;
  TimePoint appended_at{};  // when the log stored it (the log's clock)
  std::string trace{};      // AppendItem::trace as appended (empty for records stored untraced)
};

enum class AppendStatus : std::uint8_t {
  ok,        // every item is durable (or was already, for duplicates)
  io_error,  // nothing of the batch is stored; the caller must not acknowledge it (answer 503)
  closed,    // the log shut down without storing the batch (SqliteLog never does: close() flushes)
};

// Whether a repeat of an idempotency key carries what the original did: kind, patient, code,
// effective time and payload (the canonical encoding, so every measured field). The trace is not
// compared: a retry is a new request with its own traceparent.
template <typename Stored>
[[nodiscard]] bool same_content(const AppendItem& item, const Stored& original) {
  return item.kind == original.kind && item.effective_time == original.effective_time &&
         item.patient_id == original.patient_id && item.code == original.code &&
         item.payload == original.payload;
}

struct ItemOutcome {
  std::uint64_t seq = 0;   // the item's seq, or the original's when duplicate or conflict
  bool duplicate = false;  // the id was already in the log (or earlier in the same batch), same content
  // The id was already in the log (or earlier in the same batch) with different content: nothing
  // was stored for this item, and the caller must refuse it rather than acknowledge it, since the
  // client's new content is not what the log holds under that id.
  bool conflict = false;
};

struct AppendResult {
  AppendStatus status = AppendStatus::ok;
  std::vector<ItemOutcome> items;  // one per appended item, in order; empty unless status == ok
  std::string error;               // human-readable cause when status != ok
  [[nodiscard]] bool ok() const { return status == AppendStatus::ok; }
};

struct LogStats {
  std::uint64_t appended = 0;                        // records newly stored
  std::uint64_t duplicates = 0;                      // items answered with an existing record
                                                     // (identical repeats and conflicts)
  std::uint64_t rejected = 0;                        // try_append calls refused because the queue was full
  std::uint64_t commits = 0;                         // durable commit groups (one fsync each)
  std::uint64_t failed_commits = 0;                  // groups that failed with io_error
  std::size_t queue_depth = 0;                       // items accepted and not yet acknowledged
  std::size_t last_group_items = 0;                  // items in the latest commit group
  double avg_group_items = 0;                        // mean items per successful commit group
  std::chrono::microseconds last_commit_latency{0};  // begin to durable commit, latest group
};

class Log {
 public:
  using DoneCallback = std::function<void(AppendResult)>;

  virtual ~Log() = default;

  // Queues `items` (one batch) for durable storage. Returns false at once, without calling `done`,
  // when the bounded intake queue cannot take the batch (the caller answers 503 + Retry-After) or
  // the log is closed. Otherwise calls `done` exactly once, from the log's writer thread, after the
  // whole batch is durable or has failed as a whole (all-or-nothing). `done` must not block or
  // throw: it delays every other appender.
  virtual bool try_append(std::vector<AppendItem> items, DoneCallback done) = 0;

  // Records with seq > after_seq in seq order, at most `max` of them. Only durable records are
  // ever returned. Throws std::runtime_error when the storage cannot be read.
  virtual std::vector<Record> read(std::uint64_t after_seq, std::size_t max) = 0;
  // read(), handing back records the caller is done with (a previous read's): an implementation
  // may decode into their strings instead of allocating new ones, as a consumer reading every
  // round wants. The contents of `recycled` do not matter; only the result does.
  // The default ignores them. (By value: an override takes them over.)
  virtual std::vector<Record> read_reusing(
      std::uint64_t after_seq, std::size_t max,
      std::vector<Record> /*recycled*/) {  // NOLINT(performance-unnecessary-value-param)
    return read(after_seq, max);
  }

  // Blocks until a record with seq > after_seq exists (true), or the timeout passes or the log
  // closes first (false). For consumers that tail the log.
  virtual bool wait_for(std::uint64_t after_seq, std::chrono::milliseconds timeout) = 0;

  // Highest durable seq; 0 when the log is empty.
  [[nodiscard]] virtual std::uint64_t last_seq() const = 0;

  [[nodiscard]] virtual LogStats stats() const = 0;

  // Stops accepting, makes durable what is already queued (its callbacks fire), and stops the
  // writer. Idempotent; read() keeps working afterwards.
  virtual void close() = 0;
};

}  // namespace vigil::log
