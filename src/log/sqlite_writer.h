#pragma once
// The log's single write connection: opens (and if needed creates) the file, holds the writer lock
// file, and writes each commit group as one durable transaction. Opening a file of an older schema
// version migrates it in place (PRAGMA user_version records the version; version 2 added the
// nullable records.trace column), so existing logs keep opening; a newer version is refused.
// SQLite's auto-checkpoint is off on this connection (log/sqlite_checkpointer.h says who
// checkpoints instead); the WAL's size after each commit is kept for that.
//
// Thread safety: none. Constructed on one thread, then used by the writer thread alone.
// Errors: the constructor throws std::runtime_error naming the file; write_group() returns errors
// as values.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "log/group_commit.h"
#include "log/log.h"
#include "log/sqlite_db.h"

namespace vigil::log {

class SqliteWriter {
 public:
  SqliteWriter(const std::filesystem::path& file, const std::string& vfs);

  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  // Highest committed seq (0 for an empty log).
  [[nodiscard]] std::uint64_t last_seq() const { return next_seq_ - 1; }

  // Frames (pages) in the WAL after the latest commit on this connection.
  [[nodiscard]] int wal_frames() const { return wal_frames_; }

  // The connection itself, for the writer's safety-valve checkpoint; writer thread only.
  [[nodiscard]] sqlite3* connection() const { return db_.get(); }

  // Writes every batch in one transaction, runs `before_commit` (may be empty), and commits with
  // an fsync. On any error the whole transaction is rolled back and its seqs are reused, so the log
  // stays dense and holds nothing of the group.
  GroupWrite write_group(const std::vector<const std::vector<AppendItem>*>& batches, TimePoint appended_at,
                          const std::function<void()>& before_commit);

 private:
  // Inserts one item, filling `outcome`; returns the SQLite result code (SQLITE_DONE on success).
  int insert(const AppendItem& item, TimePoint appended_at, ItemOutcome& outcome);
  void rollback();
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);

  // Closing the descriptor releases the flock, also when the constructor throws half-way.
  struct LockFile {
    int fd = -1;
    LockFile() = default;
    LockFile(const LockFile&) = delete;
    LockFile& operator=(const LockFile&) = delete;
    ~LockFile();
  };

  LockFile lock_;  // first member: released last
  sqlite::DbPtr db_;
  sqlite::Stmt begin_;
  sqlite::Stmt commit_;
  sqlite::Stmt rollback_;
  sqlite::Stmt insert_;
  sqlite::Stmt seq_of_id_;
  std::uint64_t next_seq_ = 1;
  int wal_frames_ = 0;  // set by on_wal_commit, inside COMMIT
};

}  // namespace vigil::log
