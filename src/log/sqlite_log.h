#pragma once
// The embedded durable log: one SQLite file in WAL mode with synchronous=FULL, written by a single
// writer thread that group-commits whatever appenders queued meanwhile (one fsync per group).
//
// Durability: a batch's callback says ok only after the COMMIT of its group returned, and with
// synchronous=FULL SQLite fsyncs the WAL on every commit, so an acknowledged record survives kill -9
// and power loss. When a commit fails, every batch of the group gets io_error and nothing of it is
// visible, then or after a restart.
//
// Concurrency: appenders only touch the bounded in-memory queue (mutex_), never SQLite. The writer
// thread alone owns the write connection, so there is never write contention inside the process;
// an flock()ed "<file>-writer.lock" keeps a second process (or a second SqliteLog) off the same
// file, so the writer cannot meet SQLITE_BUSY. Readers use a pool of read-only connections
// (log/sqlite_readers.h); WAL lets them read a committed snapshot while the writer writes.
//
// Checkpoints: the writer never checkpoints in COMMIT; a background thread does, and the writer
// only past a hard WAL size limit, after acknowledging its group (log/sqlite_checkpointer.h).
// close() leaves the file fully checkpointed and removes the WAL: the writer's connection closes
// last, on destruction.
//
// Restart: reopening a file continues its sequence numbers and keeps its idempotency keys. Files
// of an older schema are migrated when opened (log/sqlite_writer.h).
//
// Metrics (SqliteLogOptions::metrics): the group-commit series of log/group_commit.h.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/ticker.h"
#include "log/group_commit.h"
#include "log/log.h"
#include "log/observation_query.h"
#include "log/sqlite_checkpointer.h"
#include "observability/metrics.h"

namespace vigil::log {

class SqliteReaders;
class SqliteWriter;

struct SqliteLogOptions {
  // Bound on items accepted but not yet acknowledged; try_append refuses beyond it.
  std::size_t max_queued_items = 65536;
  // The writer takes queued batches until a group holds this many items (a single larger batch
  // still goes alone: batches are never split).
  std::size_t max_group_items = 8192;
  // Stamps Record::appended_at. Null: the system clock. Must outlive the log.
  const Clock* clock = nullptr;
  // Measures commit and append latency. Null: SteadyTicker::instance(). Must outlive the log.
  const Ticker* ticker = nullptr;
  // Where the log's series go (see above); null: no metrics. Must outlive the log. One SqliteLog
  // per registry: the scrape-time gauges can be registered once, so a second log on the same
  // registry makes the constructor throw std::invalid_argument.
  observability::MetricsRegistry* metrics = nullptr;
  // The writer thread's scheduler slice (GroupCommitOptions::writer_slice); zero: the kernel's default.
  std::chrono::microseconds writer_slice{0};
  // The background checkpointer copies the WAL into the database file once this many frames
  // (4 KiB pages) were appended since its last checkpoint; 0 turns it off. Larger: fewer checkpoints
  // and fewer copies of pages that every group rewrites (index pages), but a larger WAL for readers
  // to search and for recovery to scan after a crash.
  std::size_t checkpoint_frames = 4096;  // 16 MiB
  // Safety valve: when a commit leaves the WAL at least this many frames long, the writer itself
  // (after acknowledging the group) holds reads back and runs a RESTART checkpoint, so that the
  // next commit starts the WAL over. This bounds the WAL when passive checkpoints cannot finish
  // (steady load, or readers holding old snapshots). Meant to be several times checkpoint_frames.
  std::size_t wal_limit_frames = 16384;  // 64 MiB
  // SQLite VFS for every connection; empty: SQLite's default. Tests pass a fault-injecting one.
  std::string vfs;
  // TEST ONLY: runs on the writer thread after a group's rows are written and before its COMMIT,
  // so that a test can hold the writer still (queue-full, close-while-queued) or inject faults.
  std::function<void()> before_commit_for_test;
  // TEST ONLY: runs on the background checkpointer thread before each of its checkpoints.
  std::function<void()> before_checkpoint_for_test;
};

class SqliteLog final : public Log, public ObservationQuery, private GroupWriter {
 public:
  // Opens or creates `file` and starts the writer thread. Throws std::runtime_error, with a
  // one-line message naming the file, when it cannot be opened, created, locked or recognised.
  explicit SqliteLog(const std::filesystem::path& file, SqliteLogOptions options = {});
  ~SqliteLog() override;  // close()s

  SqliteLog(const SqliteLog&) = delete;
  SqliteLog& operator=(const SqliteLog&) = delete;

  bool try_append(std::vector<AppendItem> items, DoneCallback done) override;
  std::vector<Record> read(std::uint64_t after_seq, std::size_t max) override;
  bool wait_for(std::uint64_t after_seq, std::chrono::milliseconds timeout) override;
  [[nodiscard]] std::uint64_t last_seq() const override;
  [[nodiscard]] LogStats stats() const override;
  // Stops the writer (after flushing, as Log promises), then the background checkpointer.
  void close() override;

  [[nodiscard]] CheckpointStats checkpoint_stats() const;

  std::vector<Record> latest(std::string_view patient_id, std::string_view code, TimePoint since,
                             std::size_t limit) override;

 private:
  GroupWrite write_group(const std::vector<const std::vector<AppendItem>*>& batches,
                         TimePoint appended_at) override;
  void group_published(bool durable) override;  // tells the checkpointer about the WAL
  void after_group(bool durable) override;      // the WAL safety valve

  // Constant after construction.
  const SqliteLogOptions options_;
  // Used only by the writer thread once it started. Declared first so that it creates the file
  // first and, as the last connection to close, checkpoints the WAL away.
  std::unique_ptr<SqliteWriter> writer_;
  std::unique_ptr<SqliteCheckpointer> checkpointer_;  // own synchronization
  std::unique_ptr<SqliteReaders> readers_;            // own synchronization
  // Last member: destroyed (closed) first, while the writer it calls still exists.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace vigil::log
