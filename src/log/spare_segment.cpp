#include "log/spare_segment.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <string>
#include <utility>

#include "common/thread_name.h"
#include "log/file_io.h"

namespace vigil::log {
namespace {

constexpr std::uint64_t kNoWake = std::numeric_limits<std::uint64_t>::max();

}  // namespace

SpareSegment::SpareSegment(std::filesystem::path path, std::uint64_t size, std::uint64_t chunk)
    : path_(std::move(path)),
      chunk_(std::max<std::uint64_t>(chunk, 4096)),
      size_((std::max<std::uint64_t>(size, 1) + chunk_ - 1) / chunk_ * chunk_),
      lead_(4 * chunk_),
      thread_([this] { run(); }) {}

SpareSegment::~SpareSegment() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t SpareSegment::target() const {
  const std::uint64_t p = progress_.load();
  return lead_ >= size_ || p >= (size_ - lead_) / 2 ? size_ : lead_ + 2 * p;
}

std::uint64_t SpareSegment::wake_point() const {
  return zeroed_ < lead_ ? 0 : (zeroed_ - lead_) / 2 + 1;
}

bool SpareSegment::has_work() const {
  return state_ == State::preparing && zeroed_ < target();
}

void SpareSegment::progress(std::uint64_t bytes) {
  progress_.store(bytes);
  if (bytes < wake_at_.load()) return;
  wake_at_.store(kNoWake);  // one notification per request of the thread
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

int SpareSegment::take() {
  std::lock_guard lock(mu_);
  if (state_ != State::complete) return -1;
  state_ = State::taken;
  return std::exchange(fd_, -1);
}

void SpareSegment::prepare_next() {
  {
    std::lock_guard lock(mu_);
    progress_.store(0);
    if (state_ == State::taken || state_ == State::failed) {
      if (fd_ >= 0) ::close(std::exchange(fd_, -1));
      zeroed_ = 0;
      state_ = State::preparing;
    }
  }
  cv_.notify_all();
}

void SpareSegment::wait_until_idle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stop_ || (!busy_ && !has_work()); });
}

void SpareSegment::run() {
  name_this_thread("vigil-spare");
  const std::string zeros(chunk_, '\0');
  std::unique_lock lock(mu_);
  for (;;) {
    // Wait for work, telling the writer which progress to report (see wake_at_).
    for (;;) {
      if (stop_) return;
      if (state_ == State::preparing) {
        wake_at_.store(wake_point());
        if (zeroed_ < target()) break;
      } else {
        wake_at_.store(kNoWake);
      }
      cv_.notify_all();  // idle: wait_until_idle() may return
      cv_.wait(lock);
    }
    wake_at_.store(kNoWake);
    busy_ = true;
    int fd = fd_;
    const std::uint64_t at = zeroed_;
    lock.unlock();
    bool ok = true;
    if (fd < 0) {
      fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      ok = fd >= 0;
    }
    // Each chunk goes to the disk before the next is written (sync_file_range: the writes, no
    // cache flush), and one fdatasync at the end makes the whole file durable. What the disk
    // holds unflushed of the spare stays one chunk, which the writer's fdatasync flushes with its
    // own group, and the spare adds one cache flush instead of one per chunk: a sync per chunk
    // measured no better than zeroing on the writer (docs/benchmarks.md, 2026-12-06 late).
    ok = ok && pwrite_all(fd, zeros, at);
    if (ok && at + chunk_ == size_) {
      ok = ::fdatasync(fd) == 0;
    } else if (ok) {
      ok = ::sync_file_range(
               fd, static_cast<off_t>(at), static_cast<off_t>(chunk_),
               SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) == 0;
    }
    lock.lock();
    busy_ = false;
    if (ok) {
      fd_ = fd;
      zeroed_ = at + chunk_;
      if (zeroed_ == size_) state_ = State::complete;
    } else {
      if (fd >= 0) ::close(fd);
      fd_ = -1;
      state_ = State::failed;  // the writer makes its segments itself until prepare_next()
    }
  }
}

}  // namespace vigil::log
