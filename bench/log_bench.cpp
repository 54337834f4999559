// Durable append throughput of the SQLite intake log (src/log/sqlite_log.h).
//
// Each benchmark thread is one closed-loop appender, like an HTTP client waiting for its 202:
// it appends one batch and waits for the durable callback before the next. Group commit is what
// lets more appenders share each fsync; avg_group_items shows how many items one fsync carried.
// bg_ckpts and valve_ckpts count the WAL checkpoints the background checkpointer and the writer's
// safety valve ran during the run (log/sqlite_checkpointer.h).
//
//   build/<dir>/bench/log_bench --benchmark_min_time=2
//
// The log file goes to $VIGIL_BENCH_DIR when set, else the system temp folder: put it on the
// disk you want to measure (fsync cost is the whole story).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "log/sqlite_log.h"

namespace {

using vigil::log::AppendItem;
using vigil::log::AppendResult;
using vigil::log::RecordKind;
using vigil::log::SqliteLog;

std::filesystem::path bench_dir() {
  const char* env = std::getenv("VIGIL_BENCH_DIR");
  std::string pattern =
      ((env != nullptr ? std::filesystem::path(env) : std::filesystem::temp_directory_path()) /
       "vigil-log-bench-XXXXXX")
          .string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

// A typical canonical observation (heart rate) as the domain codec writes it, about 200 bytes.
const std::string kPayload =
    R"({"id":"00000000-0000-4000-8000-000000000000","patient_id":"P-0042","device_id":"watch-17",)"
    R"("code":"8867-4","value":88,"unit":"/min","effective_time":"2026-11-22T08:00:03.120Z"})";

std::atomic<std::uint64_t> g_next_id{0};

// Shared by the threads of one benchmark run: created by thread 0 before the start barrier,
// destroyed by thread 0 after the end barrier.
std::unique_ptr<SqliteLog> g_log;
std::filesystem::path g_dir;

void BM_DurableAppend(benchmark::State& state) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  if (state.thread_index() == 0) {
    g_dir = bench_dir();
    g_log = std::make_unique<SqliteLog>(g_dir / "bench.db");
  }

  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  bool ok = true;
  for (auto _ : state) {
    std::vector<AppendItem> batch;
    batch.reserve(batch_size);
    for (std::size_t i = 0; i < batch_size; ++i) {
      const std::uint64_t n = g_next_id.fetch_add(1);
      batch.push_back(AppendItem{
          RecordKind::observation, "obs-" + std::to_string(n), "P-" + std::to_string(n % 5000), "8867-4",
          vigil::TimePoint(vigil::Duration(1'800'000'000'000 + static_cast<std::int64_t>(n))), kPayload});
    }
    done = false;
    const bool accepted = g_log->try_append(std::move(batch), [&](AppendResult r) {
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

  if (state.thread_index() == 0) {
    g_log->close();
    const vigil::log::LogStats stats = g_log->stats();
    state.counters["avg_group_items"] = stats.avg_group_items;
    state.counters["fsyncs"] =
        benchmark::Counter(static_cast<double>(stats.commits), benchmark::Counter::kIsRate);
    const vigil::log::CheckpointStats checkpoints = g_log->checkpoint_stats();
    state.counters["bg_ckpts"] = static_cast<double>(checkpoints.background);
    state.counters["valve_ckpts"] = static_cast<double>(checkpoints.writer);
    g_log.reset();
    std::error_code ignored;
    std::filesystem::remove_all(g_dir, ignored);
  }
}

BENCHMARK(BM_DurableAppend)
    ->ArgName("batch")
    ->Arg(1)
    ->Arg(100)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
