#pragma once
// TEST ONLY helpers shared by the log's tests: a temporary folder, item builders, and condition
// waits with generous deadlines (tests never sleep to synchronise).
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "log/log.h"

namespace vigil::log::testing {

// Long enough never to fire on a loaded CI machine; only a hung test ever waits this long.
inline constexpr std::chrono::seconds kDeadline{60};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-log-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path file(const std::string& name = "log.db") const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline TimePoint at_ms(std::int64_t ms) {
  return TimePoint(Duration(ms));
}

inline AppendItem observation(std::string id, std::string patient_id = "P-001", std::string code = "8867-4",
                              std::int64_t effective_ms = 1'800'000'000'000, std::string payload = "{}") {
  return AppendItem{RecordKind::observation, std::move(id),       std::move(patient_id),
                    std::move(code),         at_ms(effective_ms), std::move(payload)};
}

// Receives one AppendResult; wait() blocks (with kDeadline) until it came. Shared state, so the
// callback stays valid whatever the test does first.
class Completion {
 public:
  Log::DoneCallback callback() {
    return [state = state_](AppendResult r) {
      std::lock_guard lock(state->mutex);
      state->result = std::move(r);
      state->cv.notify_all();
    };
  }
  // The result, or a `closed` result saying the deadline passed.
  AppendResult wait() {
    std::unique_lock lock(state_->mutex);
    if (!state_->cv.wait_for(lock, kDeadline, [&] { return state_->result.has_value(); })) {
      return AppendResult{AppendStatus::closed, {}, "test deadline passed without a callback"};
    }
    return *state_->result;
  }
  bool done() {
    std::lock_guard lock(state_->mutex);
    return state_->result.has_value();
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<AppendResult> result;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Appends `items` and waits for the result; a refused append reads as `closed`.
inline AppendResult append(Log& log, std::vector<AppendItem> items) {
  Completion done;
  if (!log.try_append(std::move(items), done.callback())) return {AppendStatus::closed, {}, "refused"};
  return done.wait();
}

// Holds the log's writer in before_commit_for_test until open() is called.
class Gate {
 public:
  std::function<void()> hook() {
    return [this] {
      std::unique_lock lock(mutex_);
      ++entered_;
      cv_.notify_all();
      cv_.wait_for(lock, kDeadline, [&] { return open_; });
    };
  }
  // True once the writer has reached the hook `n` times.
  bool wait_entered(int n = 1) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kDeadline, [&] { return entered_ >= n; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

}  // namespace vigil::log::testing
