#pragma once
// Read side of the SQLite log: a small pool of read-only connections.
//
// Why a pool rather than one mutex-guarded connection: the pipeline tails the log while API
// handlers query it from a blocking pool, and WAL lets each connection read its own committed
// snapshot concurrently with the others and with the writer; one shared connection would queue
// them all behind a mutex. A reader borrows an idle connection (opening one when none is idle) and
// returns it afterwards, so the pool grows to the peak number of concurrent readers and keeps at
// most kMaxIdle of them. The writer's connection is never used for reads.
//
// pause() holds reads back for the writer's RESTART checkpoint (log/sqlite_checkpointer.h): that
// checkpoint must find a moment when no reader holds a WAL snapshot, and readers that keep
// overlapping can starve it (measured: it then gives up after the 5 s busy timeout, stalling the
// writer all that time).
//
// Thread safety: every member function may be called from any thread concurrently.
// Errors: throws std::runtime_error (naming the file) when the storage cannot be read.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "log/log.h"

namespace vigil::log {

class SqliteReaders {
 public:
  static constexpr std::size_t kMaxIdle = 8;

  // Opens connections lazily; the file must already exist (the writer creates it).
  SqliteReaders(std::filesystem::path file, std::string vfs);
  ~SqliteReaders();

  SqliteReaders(const SqliteReaders&) = delete;
  SqliteReaders& operator=(const SqliteReaders&) = delete;

  // Log::read and ObservationQuery::latest.
  std::vector<Record> read(std::uint64_t after_seq, std::size_t max);
  std::vector<Record> latest(std::string_view patient_id, std::string_view code, TimePoint since,
                             std::size_t limit);

  // While a Pause lives, new reads wait; its constructor also waits, at most `max_wait`, for the
  // reads in progress (which are finite) to end. One pause at a time is meant (the writer's); a
  // second waits for the first to end.
  class Pause {
   public:
    Pause(SqliteReaders& pool, std::chrono::milliseconds max_wait);
    ~Pause();
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;

   private:
    SqliteReaders& pool_;
  };

 private:
  struct Conn;
  class Lease;

  std::unique_ptr<Conn> open_conn() const;

  // Constant after construction.
  const std::filesystem::path file_;
  const std::string vfs_;

  std::mutex mutex_;
  std::condition_variable changed_;  // paused_ cleared, or active_ dropped to 0
  // Protected by mutex_.
  std::vector<std::unique_ptr<Conn>> idle_;
  std::size_t active_ = 0;  // reads in progress
  bool paused_ = false;
};

}  // namespace vigil::log
