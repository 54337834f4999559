#pragma once
// The closed-loop durable-append workload shared by log_bench (SQLite) and rocksdb_log_bench, so
// both engines are measured with exactly the same items, batches and waiting.
//
// Each benchmark thread is one appender, like an HTTP client waiting for its 202: it appends one
// batch and waits for the durable callback before the next.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "log/log.h"

namespace vigil::bench {

// A fresh folder under $VIGIL_BENCH_DIR, or the temp folder: put it on the disk to measure.
inline std::filesystem::path bench_dir(const std::string& prefix) {
  const char* env = std::getenv("VIGIL_BENCH_DIR");
  const auto root = env != nullptr ? std::filesystem::path(env) : std::filesystem::temp_directory_path();
  std::string pattern = (root / (prefix + "-XXXXXX")).string();  // mkdtemp's template
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

// A typical canonical observation (heart rate) as the domain codec writes it, about 200 bytes.
inline const std::string kPayload =
    R"({"id":"00000000-0000-4000-8000-000000000000","patient_id":"P-0042","device_id":"watch-17",)"
    R"("code":"8867-4","value":88,"unit":"/min","effective_time":"2026-11-22T08:00:03.120Z"})";

// Unique ids across every thread and run of one process.
inline std::atomic<std::uint64_t> g_next_id{0};

inline std::vector<log::AppendItem> make_batch(std::size_t size) {
  std::vector<log::AppendItem> batch;
  batch.reserve(size);
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint64_t n = g_next_id.fetch_add(1);
    batch.push_back(log::AppendItem{
        log::RecordKind::observation, "obs-" + std::to_string(n), "P-" + std::to_string(n % 5000), "8867-4",
        TimePoint(Duration(1'800'000'000'000 + static_cast<std::int64_t>(n))), kPayload});
  }
  return batch;
}

// Runs the benchmark loop for one thread against `log` (anything with Log's try_append contract),
// appending batches of state.range(0) items and waiting for each to be durable.
template <typename LogT>
void append_closed_loop(benchmark::State& state, LogT& log) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  bool ok = true;
  for (auto _ : state) {
    done = false;
    const bool accepted = log.try_append(make_batch(batch_size), [&](log::AppendResult r) {
      std::lock_guard lock(mutex);
      ok = ok && r.ok();
      done = true;
      cv.notify_one();
    });
    if (!accepted) {
      state.SkipWithError("intake queue full");
      break;
    }
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return done; });
  }
  if (!ok) state.SkipWithError("an append failed");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch_size));
}

}  // namespace vigil::bench
