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

#include "append_harness.h"
#include "log/sqlite_log.h"

namespace {

using vigil::log::SqliteLog;

// Shared by the threads of one benchmark run: created by thread 0 before the start barrier,
// destroyed by thread 0 after the end barrier.
std::unique_ptr<SqliteLog> g_log;
std::filesystem::path g_dir;

void BM_DurableAppend(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_dir = vigil::bench::bench_dir("vigil-log-bench");
    g_log = std::make_unique<SqliteLog>(g_dir / "bench.db");
  }
  vigil::bench::append_closed_loop(state, *g_log);

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
