#pragma once
// The group-commit engine behind every embedded Log: a bounded queue of batches, one writer thread
// that takes everything queued meanwhile as one group and hands it to a GroupWriter (one durable
// write and one fsync per group), then answers each batch's callback. The storage engines
// (log/sqlite_log.h, log/segment_log.h) only say how a group is written.
//
// Durability: a batch's callback says ok only after the writer reported its group durable; a
// failed group answers io_error for every batch in it and must have left nothing of it readable.
//
// Thread safety: try_append, wait_for, last_seq, stats and close may be called from any thread.
// The GroupWriter is called from the writer thread only. Callbacks run on the writer thread and
// must not block (they delay every other appender) nor call close().
//
// Metrics (Options::metrics; none when null): vigil_log_append_seconds (try_append to the ok
// callback, per non-empty batch), vigil_log_group_commit_items (items per group that wrote),
// vigil_log_commit_seconds (write and sync of each group that wrote), vigil_log_fsyncs_total (groups that
// wrote a record), vigil_log_queue_items and vigil_log_last_seq (gauges read at scrape time). One engine per
// registry: a second one on the same registry makes the constructor throw std::invalid_argument.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/ticker.h"
#include "log/log.h"
#include "log/scrape_guard.h"
#include "observability/metrics.h"

namespace vigil::log {

struct LogMetrics;

// What a storage engine did with one group.
struct GroupWrite {
  bool ok = false;
  std::string error;                               // when !ok
  std::vector<std::vector<ItemOutcome>> outcomes;  // when ok: one vector per batch, in order
  std::uint64_t appended = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t last_seq = 0;  // when ok: the highest durable seq after the group
};

class GroupWriter {
 public:
  virtual ~GroupWriter() = default;
  // Makes every batch durable as one group, or none of it. Writer thread only.
  virtual GroupWrite write_group(const std::vector<const std::vector<AppendItem>*>& batches,
                                 TimePoint appended_at) = 0;
  // Writer thread, once the group's outcome is published (last_seq, stats) and before its
  // callbacks run: bookkeeping that an acknowledged caller may already observe.
  virtual void group_published(bool /*durable*/) {}
  // Writer thread, after the group's callbacks ran: housekeeping that must not delay the
  // acknowledgements (checkpoints). `durable`: the group wrote something.
  virtual void after_group(bool /*durable*/) {}
};

struct GroupCommitOptions {
  std::size_t max_queued_items = 65536;               // accepted and not yet acknowledged; beyond: refused
  std::size_t max_group_items = 8192;                 // a single larger batch still goes alone (never split)
  const Clock* clock = nullptr;                       // stamps appended_at; null: system clock. Must outlive.
  const Ticker* ticker = nullptr;                     // latencies; null: SteadyTicker. Must outlive.
  observability::MetricsRegistry* metrics = nullptr;  // null: no metrics. Must outlive.
  // Scheduler slice the writer thread asks for (common/sched_slice.h): a short one gets the writer
  // back on a CPU sooner when its fdatasync returns. Zero: the kernel's default.
  std::chrono::microseconds writer_slice{0};
};

class GroupCommitter {
 public:
  // `last_seq`: the highest durable seq when the engine opened. The writer thread starts in
  // start(), once the engine's own members exist.
  GroupCommitter(GroupWriter& writer, GroupCommitOptions options, std::uint64_t last_seq);
  ~GroupCommitter();  // close()s
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void start();
  bool try_append(std::vector<AppendItem> items, Log::DoneCallback done);
  bool wait_for(std::uint64_t after_seq, std::chrono::milliseconds timeout);
  [[nodiscard]] std::uint64_t last_seq() const;
  [[nodiscard]] LogStats stats() const;
  // Stops accepting, flushes what is queued (callbacks fire), joins the writer. Idempotent.
  void close();

 private:
  struct Pending {
    std::vector<AppendItem> items;
    Log::DoneCallback done;
    Nanos enqueued{};  // ticker time of try_append; set only with metrics on
  };

  void run_writer();
  void commit_group(std::deque<Pending>& group, std::size_t items);

  GroupWriter& writer_;
  const GroupCommitOptions options_;
  const Clock& clock_;
  const Ticker& ticker_;
  std::unique_ptr<LogMetrics> metrics_;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;      // writer waits: queue non-empty or closing
  std::condition_variable appended_cv_;  // wait_for waits: last_seq_ advanced or stopped
  // Protected by mutex_.
  std::deque<Pending> queue_;
  std::size_t outstanding_items_ = 0;
  bool closing_ = false;
  bool stopped_ = false;
  std::uint64_t last_seq_ = 0;
  LogStats stats_;
  std::uint64_t grouped_items_ = 0;

  std::once_flag close_once_;
  std::thread thread_;
  // Last member: destroyed first, so scrape-time gauges stop reading before the rest goes.
  std::unique_ptr<ScrapeGuard<GroupCommitter>> scrape_guard_;
};

}  // namespace vigil::log
