// The dedupe window's table under the window's own load: full (3,000,000 ids), then for every new
// id one lookup (a miss), one insert and the erasure of the oldest id. Reports the mean and the
// worst single operation, and how many took over 1 ms: boost::unordered_flat_map rehashes under
// this churn (anti-drift) every 2.6 million inserts, about 50 ms each, which log/seq_table.h
// avoids (docs/benchmarks.md, 2026-12-06 evening).
//
// BM_GroupLookups is the log writer's first pass over a group of 100 new ids (SegmentLog::
// write_group) against a full window: one lookup each, with and without DedupeWindow::
// prefetch_ahead. The two are equal when the prefetches are missing from the build, as they were
// until g++ 12 was seen deleting them (log/seq_table.h, prefetch_line).
//
// run: build/release/bench/dedupe_table_bench
#include <benchmark/benchmark.h>

#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <utility>
#include <vector>

#include "log/dedupe_window.h"
#include "log/seq_table.h"

namespace {

constexpr std::size_t kIds = 3'000'000;
constexpr std::int64_t kOperations = 20'000'000;

struct Boost {
  boost::unordered_flat_map<std::uint64_t, std::uint64_t> map;
  bool find(std::uint64_t h) const { return map.find(h) != map.end(); }
  void insert(std::uint64_t h, std::uint64_t seq) { map[h] = seq; }
  void erase(std::uint64_t h, std::uint64_t seq) {
    auto it = map.find(h);
    if (it != map.end() && it->second == seq) map.erase(it);
  }
};

struct Seq {
  vigil::log::SeqTable table;
  bool find(std::uint64_t h) const { return table.find(h).has_value(); }
  void insert(std::uint64_t h, std::uint64_t seq) { table.insert_or_assign(h, seq); }
  void erase(std::uint64_t h, std::uint64_t seq) { table.erase_if(h, seq); }
};

template <typename Table>
void BM_WindowChurn(benchmark::State& state) {
  Table table;
  std::mt19937_64 rng(1);
  std::deque<std::pair<std::uint64_t, std::uint64_t>> order;
  std::uint64_t seq = 0;
  for (; seq < kIds; ++seq) {
    order.emplace_back(rng(), seq);
    table.insert(order.back().first, seq);
  }
  double worst_us = 0;
  std::int64_t over_1ms = 0;
  for (auto _ : state) {
    const std::uint64_t h = rng();
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(table.find(h));
    table.insert(h, seq);
    table.erase(order.front().first, order.front().second);
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    order.pop_front();
    order.emplace_back(h, seq++);
    if (us > worst_us) worst_us = us;
    if (us > 1000) ++over_1ms;
  }
  state.counters["worst_us"] = worst_us;
  state.counters["over_1ms"] = static_cast<double>(over_1ms);
}

BENCHMARK_TEMPLATE(BM_WindowChurn, Boost)->Iterations(kOperations)->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(BM_WindowChurn, Seq)->Iterations(kOperations)->Unit(benchmark::kNanosecond);

// A full default window (kIds ids in its table), then groups of 100 ids it has not seen.
void BM_GroupLookups(benchmark::State& state) {
  const bool prefetch = state.range(0) != 0;
  constexpr std::size_t kGroup = 100;
  vigil::log::DedupeWindow window(std::chrono::hours(1), kIds);
  std::mt19937_64 rng(2);
  const vigil::TimePoint at{};
  for (std::uint64_t seq = 1; seq <= kIds; ++seq) window.insert(rng(), seq, at);
  std::vector<std::uint64_t> hashes(kGroup);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& h : hashes) h = rng();
    state.ResumeTiming();
    for (std::size_t k = 0; k < kGroup; ++k) {
      if (prefetch) window.prefetch_ahead(hashes, k);
      benchmark::DoNotOptimize(window.find(hashes[k]));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kGroup));
}

BENCHMARK(BM_GroupLookups)->ArgName("prefetch")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
