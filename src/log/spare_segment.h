#pragma once
// The segment log's next segment file, zeroed and synced ahead of need on a thread of its own.
//
// Why: the newest segment is written over zeros (log/segment_store.h, "Zeroed ahead"), and zeroing
// on the writer thread stalled the group that needed it: 1 MiB written and synced, about 1.3 ms,
// 16 times a second at 27,000 readings/s, and every acknowledgement queued behind it waited too
// (docs/benchmarks.md, 2026-12-06 late). A spare file zeroed here, in small synced chunks, lets a
// new segment start with all its zeros in place: the writer only writes its header and renames it.
//
// Pacing: the zeros go out `chunk` bytes at a time, each written to the disk before the next
// (sync_file_range, no cache flush) and the file synced once when complete, no faster than twice
// the rate at which the writer fills the current segment (progress()), plus a lead of a few
// chunks. A spare is then complete when the segment is about half full, and its writes, which
// the writer's fdatasync waits behind, are small and spread out instead of one burst of the
// whole file after each roll.
//
// The file is a scratch file until the writer renames it: a start-up removes it (the store's
// recovery), and the thread makes a new one.
//
// Thread safety: progress(), take() and prepare_next() from the log's writer thread (one thread);
// wait_until_idle() from any thread. The preparation itself runs on the object's own thread.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

namespace vigil::log {

class SpareSegment {
 public:
  static constexpr std::uint64_t kDefaultChunk = 256u << 10;

  // Starts preparing a spare of `size` bytes (rounded up to whole chunks) at `path`.
  SpareSegment(std::filesystem::path path, std::uint64_t size, std::uint64_t chunk = kDefaultChunk);
  // Stops the thread (between chunks) and closes the file, leaving it for recovery to remove.
  ~SpareSegment();
  SpareSegment(const SpareSegment&) = delete;
  SpareSegment& operator=(const SpareSegment&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::uint64_t size() const { return size_; }

  // The writer has written `bytes` of the current segment: zeroing may run ahead of it. Cheap
  // (one relaxed load) except when it passes the point the thread waits for.
  void progress(std::uint64_t bytes);

  // The descriptor (read-write) of a complete spare: `size()` zero bytes, synced. The caller owns
  // it, and renames path() to its segment's name before prepare_next(). -1 while the spare is not
  // complete (or failed, as on a full disk): the writer then makes its segment itself.
  int take();
  // Starts the next spare at path(), from progress 0. Call after take(), once path() is free.
  void prepare_next();

  // Blocks until the thread has nothing to do: the spare is complete, failed or taken, or waits
  // for progress(). For tests, which must not wait on time.
  void wait_until_idle();

 private:
  enum class State { preparing, complete, failed, taken };
  void run();
  [[nodiscard]] std::uint64_t target() const;      // bytes zeroing may reach now
  [[nodiscard]] std::uint64_t wake_point() const;  // the progress that raises target() past zeroed_; mu_ held
  [[nodiscard]] bool has_work() const;             // mu_ held

  const std::filesystem::path path_;
  const std::uint64_t chunk_;
  const std::uint64_t size_;
  const std::uint64_t lead_;

  mutable std::mutex mu_;
  std::condition_variable cv_;      // the thread waits for work; wait_until_idle() for it to end
  State state_ = State::preparing;  // guarded by mu_
  std::uint64_t zeroed_ = 0;        // guarded by mu_: bytes of the spare written and synced
  int fd_ = -1;                     // guarded by mu_: the spare's descriptor, until take()
  bool busy_ = false;               // guarded by mu_: the thread is creating or writing the file
  bool stop_ = false;               // guarded by mu_
  // The writer stores progress_ and then reads wake_at_; the thread stores wake_at_ and then reads
  // progress_ before it waits (both sequentially consistent), so one of them sees the other and a
  // wake-up is never lost, while the writer takes the mutex only when the thread asked for it.
  std::atomic<std::uint64_t> progress_{0};
  std::atomic<std::uint64_t> wake_at_{0};  // the progress the waiting thread needs; max: none
  std::thread thread_;
};

}  // namespace vigil::log
