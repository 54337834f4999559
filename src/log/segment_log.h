#pragma once
// The default embedded durable log: append-only segment files written sequentially, one write and
// one fdatasync per commit group (log/group_commit.h), every record checksummed
// (log/segment_codec.h) and recovered by verifying each frame (log/segment_store.h). It replaced
// SQLite as the default after measurement (docs/benchmarks.md): SQLite's unique index on random
// UUIDs wrote about 10 KiB of WAL pages per observation; this log writes the record once.
//
// Durability: a batch's callback says ok only after its group's fdatasync returned, so an
// acknowledged record survives kill -9 and power loss. A failed write or sync fails its group and
// every later one until a restart (log/segment_store.h says why).
//
// Idempotency: an id stored within `dedupe_window` (and among the newest `dedupe_max_ids`) is
// answered as a duplicate with the original's seq, across restarts too (recovery refills the
// window from the files). A retry of an id older than the window is stored again as a new record;
// the window is sized for client retries (minutes), not for re-imports of old data.
//
// latest() walks the patient's chain of records newest first and stops at the first record that
// was appended more than `max_future_skew` before the oldest effective time it could still need:
// the intake refuses effective times further than that in the future, so nothing older can
// qualify. The walk is exact under that rule.
//
// Thread safety: every member function may be called from any thread concurrently (Log's
// contract); the indexes are owned by the writer thread or guarded inside the store.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include "common/clock.h"
#include "common/ticker.h"
#include "log/dedupe_window.h"
#include "log/group_commit.h"
#include "log/log.h"
#include "log/observation_query.h"
#include "log/segment_store.h"
#include "observability/metrics.h"

namespace vigil::log {

struct SegmentLogOptions {
  std::size_t max_queued_items = 65536;               // accepted, not yet acknowledged; beyond: refused
  std::size_t max_group_items = 8192;                 // items per commit group (one fdatasync)
  const Clock* clock = nullptr;                       // stamps appended_at; null: system clock
  const Ticker* ticker = nullptr;                     // latencies; null: SteadyTicker
  observability::MetricsRegistry* metrics = nullptr;  // log/group_commit.h's series; null: none
  std::chrono::microseconds writer_slice{0};          // GroupCommitOptions::writer_slice
  std::size_t segment_bytes = 64u << 20;              // a new segment file past this size
  std::size_t zero_ahead_bytes = 1u << 20;            // log/segment_store.h, "Zeroed ahead"; 0: off
  Duration dedupe_window = std::chrono::minutes(15);
  std::size_t dedupe_max_ids = 3'000'000;
  Duration max_future_skew = std::chrono::minutes(5);  // the intake's bound on effective times
  // TEST ONLY: runs on the writer thread before a group is written (to hold the writer still).
  std::function<void()> before_commit_for_test;
  // TEST ONLY: replaces fdatasync of segment data; return false to simulate a failed sync.
  std::function<bool()> sync_for_test;
};

class SegmentLog final : public Log, public ObservationQuery, private GroupWriter {
 public:
  // Opens or creates the log in folder `dir` and recovers it. Throws std::runtime_error naming the
  // folder or segment when it cannot be opened, locked or trusted.
  explicit SegmentLog(const std::filesystem::path& dir, SegmentLogOptions options = {});
  ~SegmentLog() override;

  SegmentLog(const SegmentLog&) = delete;
  SegmentLog& operator=(const SegmentLog&) = delete;

  bool try_append(std::vector<AppendItem> items, DoneCallback done) override;
  std::vector<Record> read(std::uint64_t after_seq, std::size_t max) override;
  std::vector<Record> read_reusing(std::uint64_t after_seq, std::size_t max,
                                   std::vector<Record> recycled) override;
  bool wait_for(std::uint64_t after_seq, std::chrono::milliseconds timeout) override;
  [[nodiscard]] std::uint64_t last_seq() const override;
  [[nodiscard]] LogStats stats() const override;
  void close() override;

  std::vector<Record> latest(std::string_view patient_id, std::string_view code, TimePoint since,
                             std::size_t limit) override;

  // TEST ONLY: blocks until the next segment's spare is complete or waits for the writer's
  // progress (SegmentStore::wait_for_spare_for_test).
  void wait_for_spare_for_test() { store_->wait_for_spare_for_test(); }

 private:
  GroupWrite write_group(const std::vector<const std::vector<AppendItem>*>& batches,
                         TimePoint appended_at) override;

  const SegmentLogOptions options_;
  std::unique_ptr<DedupeWindow> dedupe_;  // writer thread only (and the constructor)
  std::unique_ptr<SegmentStore> store_;   // own synchronization
  // Last member: closed and destroyed first, while what its writer calls still exists.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace vigil::log
