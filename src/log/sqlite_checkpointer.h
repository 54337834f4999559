#pragma once
// Keeps WAL checkpoints off the log's commit path.
//
// Why: SQLite's default auto-checkpoint runs inside COMMIT on the committing connection every
// 1,000 WAL pages. With large commit groups that is nearly every group, and the copy into the
// database file brings its own fsyncs (measured: about 3.2 fdatasyncs per group instead of 1).
// Instead the writer turns auto-checkpoint off (SqliteWriter) and reports the WAL size after each
// commit here; a background thread with its own connection then runs a PASSIVE checkpoint whenever
// `threshold_frames` new frames have been appended since its last one. PASSIVE never takes the
// write lock and never waits, so the writer keeps committing while pages are copied.
//
// A passive checkpoint can copy only what no reader still needs, and the WAL is reused from its
// start only when it was fully copied at the moment the writer begins a transaction, which under
// sustained load rarely happens by itself. So the writer also has a safety valve
// (checkpoint_on()): past a hard limit it checkpoints in RESTART mode itself, which copies the rest
// and waits for readers to leave the WAL, so that its next commit starts the WAL over. SqliteLog
// pauses its own readers for that moment (SqliteReaders::Pause); readers in other processes are
// waited for up to the connection's busy timeout. The WAL therefore stays near that limit.
//
// Durability does not depend on any of this: with synchronous=FULL every commit fsyncs the WAL,
// and a checkpoint (synchronous=FULL on its connection too) fsyncs the database file before SQLite
// lets the WAL be overwritten. A failed checkpoint leaves the WAL in charge (SQLite advances its
// checkpoint mark only after the copy succeeded) and is retried after the next commit.
//
// Thread safety: committed() and checkpoint_on() are for the writer thread; stats() and stop() may
// be called from any thread. Errors: the constructor throws std::runtime_error naming the file when
// the checkpoint connection cannot be opened; checkpoint failures are counted in stats(), never
// thrown.
#include <sqlite3.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "log/sqlite_db.h"

namespace vigil::log {

struct CheckpointStats {
  std::uint64_t background = 0;         // checkpoints the background thread completed
  std::uint64_t writer = 0;             // safety-valve checkpoints the writer completed
  std::uint64_t background_failed = 0;  // background checkpoints that returned an error or SQLITE_BUSY
  std::uint64_t writer_failed = 0;      // safety-valve checkpoints that did
  std::string last_error;               // of the latest failure
  int wal_frames = 0;                   // WAL size in frames (pages) after the latest commit
  // Of the latest completed checkpoint: WAL frames then, and how many of them are in the database
  // file. Equal: the WAL was fully copied, so the next write transaction reuses it from the start.
  int last_log_frames = 0;
  int last_checkpointed_frames = 0;
};

class SqliteCheckpointer {
 public:
  // threshold_frames == 0: no background thread or connection (only checkpoint_on() runs).
  // `before_checkpoint` (TEST ONLY, may be empty) runs on the background thread before each of its
  // checkpoints.
  SqliteCheckpointer(const std::filesystem::path& file, const std::string& vfs, std::size_t threshold_frames,
                     std::function<void()> before_checkpoint);
  ~SqliteCheckpointer();  // stop()s

  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Writer thread, after each successful commit: the WAL's frame count as the commit left it.
  void committed(int wal_frames);

  // Writer thread: checkpoints `db` (the writer's own connection) in `mode`, after any background
  // checkpoint in progress, so that neither meets the other's checkpoint lock. Returns the SQLite
  // result code; the outcome is also counted in stats().
  int checkpoint_on(sqlite3* db, int mode);

  // Waits for a background checkpoint in progress, then ends the thread. Idempotent. The
  // connection stays open until destruction.
  void stop();

  [[nodiscard]] CheckpointStats stats() const;

 private:
  void run();
  void record(int rc, int log_frames, int checkpointed_frames, sqlite3* db, bool background);

  // Constant after construction.
  const std::size_t threshold_;
  const std::function<void()> before_checkpoint_;
  sqlite::DbPtr db_;  // background thread only

  // Held while any checkpoint in this process runs; taken before mutex_, never inside it.
  std::mutex checkpoint_mutex_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;  // the thread waits: enough new frames, or stopping
  // Protected by mutex_.
  std::size_t pending_frames_ = 0;  // appended since the background thread last took work
  bool fresh_ = false;              // a commit came since the background thread last took work
  bool stopping_ = false;
  int last_wal_frames_ = 0;
  CheckpointStats stats_;

  std::once_flag stop_once_;
  std::thread thread_;  // started last in the constructor
};

}  // namespace vigil::log
