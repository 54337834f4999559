#include "log/sqlite_checkpointer.h"

#include <stdexcept>
#include <utility>

#include "common/thread_name.h"

namespace vigil::log {

SqliteCheckpointer::SqliteCheckpointer(const std::filesystem::path& file, const std::string& vfs,
                                       std::size_t threshold_frames, std::function<void()> before_checkpoint)
    : threshold_(threshold_frames), before_checkpoint_(std::move(before_checkpoint)) {
  if (threshold_ == 0) return;
  db_ = sqlite::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs);
  sqlite3* db = db_.get();
  auto fail = [&](int rc) {
    return std::runtime_error(sqlite::describe(db, "cannot open checkpoint connection to log file", rc));
  };
  // The checkpoint fsyncs the database file only when this connection's synchronous setting asks
  // for it, and SQLite reuses the WAL once the checkpoint says it is copied: never let that be a
  // build default.
  if (const int rc = sqlite::exec(db, "PRAGMA synchronous = FULL"); rc != SQLITE_OK) throw fail(rc);
  // A connection learns that the file is in WAL mode (and opens the WAL) on its first read;
  // until then a checkpoint on it would do nothing.
  {
    sqlite::Stmt probe(db, "PRAGMA user_version");
    const int rc = probe.step();
    probe.reset();
    if (rc != SQLITE_ROW) throw fail(rc);
  }
  thread_ = std::thread([this] {
    name_this_thread("vigil-checkpoint");
    run();
  });
}

SqliteCheckpointer::~SqliteCheckpointer() {
  stop();
}

void SqliteCheckpointer::committed(int wal_frames) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // A smaller WAL than last time means the commit started it over: all its frames are new. (A
    // restart followed by a commit larger than the old WAL reads as growth and undercounts by at
    // most that one commit, which only delays the next checkpoint a little.)
    const int grown = wal_frames >= last_wal_frames_ ? wal_frames - last_wal_frames_ : wal_frames;
    last_wal_frames_ = wal_frames;
    stats_.wal_frames = wal_frames;
    if (threshold_ == 0) return;
    pending_frames_ += static_cast<std::size_t>(grown);
    fresh_ = true;
    wake = pending_frames_ >= threshold_;
  }
  if (wake) cv_.notify_one();
}

int SqliteCheckpointer::checkpoint_on(sqlite3* db, int mode) {
  int log_frames = -1;
  int checkpointed = -1;
  std::lock_guard checkpointing(checkpoint_mutex_);
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, mode, &log_frames, &checkpointed);
  record(rc, log_frames, checkpointed, db, false);
  return rc;
}

void SqliteCheckpointer::run() {
  for (;;) {
    std::size_t taken = 0;
    {
      std::unique_lock lock(mutex_);
      // Only after a fresh commit: a failing checkpoint is retried once per commit, not in a loop.
      cv_.wait(lock, [this] { return stopping_ || (fresh_ && pending_frames_ >= threshold_); });
      if (stopping_) return;
      taken = std::exchange(pending_frames_, 0);
      fresh_ = false;
    }
    if (before_checkpoint_) before_checkpoint_();
    int log_frames = -1;
    int checkpointed = -1;
    int rc = SQLITE_OK;
    {
      std::lock_guard checkpointing(checkpoint_mutex_);
      rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                     &checkpointed);
    }
    record(rc, log_frames, checkpointed, db_.get(), true);
    if (rc != SQLITE_OK) {
      std::lock_guard lock(mutex_);
      pending_frames_ += taken;  // still to copy
    }
  }
}

void SqliteCheckpointer::record(int rc, int log_frames, int checkpointed_frames, sqlite3* db,
                                bool background) {
  std::string error;
  if (rc != SQLITE_OK) error = sqlite::describe(db, "cannot checkpoint log file", rc);
  std::lock_guard lock(mutex_);
  if (rc != SQLITE_OK) {
    ++(background ? stats_.background_failed : stats_.writer_failed);
    stats_.last_error = std::move(error);
    return;
  }
  ++(background ? stats_.background : stats_.writer);
  stats_.last_log_frames = log_frames;
  stats_.last_checkpointed_frames = checkpointed_frames;
}

void SqliteCheckpointer::stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  });
}

CheckpointStats SqliteCheckpointer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace vigil::log
