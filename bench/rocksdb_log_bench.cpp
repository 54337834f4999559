// Durable append throughput of RocksDB under the same contract and workload as the SQLite intake
// log (bench/log_bench.cpp, src/log/sqlite_log.h): the measurement behind "SQLite or RocksDB".
//
// Same guarantees as SqliteLog:
// - Durable before acknowledged: every group is one WriteBatch written with WriteOptions::sync, so
//   the WAL is fsync'ed (fdatasync) before any callback of the group runs.
// - Idempotent: an id already stored (or earlier in the same group) stores nothing and answers the
//   original's seq. The check (one MultiGet over the group's ids) and the write happen on ONE writer
//   thread, so no other write can slip between them.
// - Same layout of work per record: the record under its big-endian u64 seq (default column
//   family), id -> seq ("ids" column family, the UNIQUE(id) of SQLite), and (patient, code,
//   effective_ms, seq) -> "" ("by_patient" column family, SQLite's records_by_patient_code_time).
//
// Same group commit as SqliteLog: appenders only queue; the writer takes everything queued meanwhile
// (up to 8192 items, batches never split) and makes it durable with one synced write. We chose this
// over RocksDB's own write grouping with concurrent writers because the idempotency check needs a
// mutex around check+write anyway, which would serialize writers and defeat RocksDB's grouping; one
// writer with explicit groups is the fair equivalent of SqliteLog.
//
// RocksDB runs with default options (snappy, 64 MiB memtable, background flush/compaction threads)
// plus create_if_missing: what a first integration would use.
//
//   build/<dir>/bench/rocksdb_log_bench --benchmark_min_time=2
//
// The database goes to $VIGIL_BENCH_DIR when set, else the system temp folder, like log_bench.
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "append_harness.h"
#include "log/log.h"

namespace {

using vigil::log::AppendItem;
using vigil::log::AppendResult;
using vigil::log::AppendStatus;
using vigil::log::ItemOutcome;
using vigil::log::LogStats;
using vigil::log::RecordKind;

void put_u64_be(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint64_t get_u64_be(std::string_view in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

void put_str(std::string& out, std::string_view s) {
  put_u64_be(out, s.size());
  out.append(s);
}

// The stored record: the same columns as SQLite's records row.
std::string encode_record(const AppendItem& item, std::int64_t appended_ms) {
  std::string v;
  v.reserve(64 + item.id.size() + item.patient_id.size() + item.code.size() + item.payload.size());
  v.push_back(static_cast<char>(item.kind));
  put_u64_be(v, static_cast<std::uint64_t>(item.effective_time.time_since_epoch().count()));
  put_u64_be(v, static_cast<std::uint64_t>(appended_ms));
  put_str(v, item.id);
  put_str(v, item.patient_id);
  put_str(v, item.code);
  v.append(item.payload);
  return v;
}

// A RocksDB-backed durable log with SqliteLog's append contract (try_append + callback from the
// writer thread, bounded queue, group commit). Benchmark-only: no reads, no restart seq recovery.
// Thread safety: try_append, stats and close may be called from any thread.
class RocksLog {
 public:
  using DoneCallback = std::function<void(AppendResult)>;

  explicit RocksLog(const std::filesystem::path& dir) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options)},
        {"ids", rocksdb::ColumnFamilyOptions(options)},
        {"by_patient", rocksdb::ColumnFamilyOptions(options)},
    };
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), families, &handles, &db);
    if (!s.ok()) throw std::runtime_error("cannot open RocksDB at " + dir.string() + ": " + s.ToString());
    db_.reset(db);
    records_ = handles[0];
    ids_ = handles[1];
    by_patient_ = handles[2];
    thread_ = std::thread([this] { run_writer(); });
  }

  ~RocksLog() {
    close();
    for (rocksdb::ColumnFamilyHandle* h : {records_, ids_, by_patient_}) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  RocksLog(const RocksLog&) = delete;
  RocksLog& operator=(const RocksLog&) = delete;

  bool try_append(std::vector<AppendItem> items, DoneCallback done) {
    {
      std::lock_guard lock(mutex_);
      if (closing_ || items.size() > kMaxQueuedItems - outstanding_items_) return false;
      outstanding_items_ += items.size();
      queue_.push_back(Pending{std::move(items), std::move(done)});
    }
    work_cv_.notify_one();
    return true;
  }

  LogStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  void close() {
    std::call_once(close_once_, [this] {
      {
        std::lock_guard lock(mutex_);
        closing_ = true;
      }
      work_cv_.notify_all();
      thread_.join();
    });
  }

 private:
  // SqliteLogOptions' defaults.
  static constexpr std::size_t kMaxQueuedItems = 65536;
  static constexpr std::size_t kMaxGroupItems = 8192;

  struct Pending {
    std::vector<AppendItem> items;
    DoneCallback done;
  };

  void run_writer() {
    std::deque<Pending> group;
    for (;;) {
      std::size_t items = 0;
      {
        std::unique_lock lock(mutex_);
        work_cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
        if (queue_.empty()) break;
        while (!queue_.empty() && (group.empty() || items + queue_.front().items.size() <= kMaxGroupItems)) {
          items += queue_.front().items.size();
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      commit_group(group, items);
      group.clear();
    }
  }

  // Writer thread only. On success fills one outcome vector per batch; on failure sets `error` and
  // nothing of the group is stored (the WriteBatch is atomic).
  bool write_group(const std::deque<Pending>& group, std::vector<std::vector<ItemOutcome>>& outcomes,
                   std::uint64_t& appended, std::string& error) {
    std::vector<rocksdb::Slice> keys;
    for (const Pending& p : group)
      for (const AppendItem& item : p.items) keys.emplace_back(item.id);
    std::vector<rocksdb::PinnableSlice> found(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), ids_, keys.size(), keys.data(), found.data(), statuses.data());

    const auto appended_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    rocksdb::WriteBatch batch;
    std::unordered_map<std::string_view, std::uint64_t> in_group;  // ids first stored by this group
    std::uint64_t seq = next_seq_;
    std::size_t k = 0;
    for (const Pending& p : group) {
      std::vector<ItemOutcome>& out = outcomes.emplace_back(p.items.size());
      for (std::size_t i = 0; i < p.items.size(); ++i, ++k) {
        const AppendItem& item = p.items[i];
        if (statuses[k].ok()) {
          out[i] = ItemOutcome{get_u64_be(found[k].ToStringView()), true};
          continue;
        }
        if (!statuses[k].IsNotFound()) {
          error = "cannot look up id: " + statuses[k].ToString();
          return false;
        }
        if (auto it = in_group.find(item.id); it != in_group.end()) {
          out[i] = ItemOutcome{it->second, true};
          continue;
        }
        std::string seq_key;
        put_u64_be(seq_key, seq);
        std::string index_key = item.patient_id;
        index_key.push_back('\0');
        index_key.append(item.code).push_back('\0');
        put_u64_be(index_key, static_cast<std::uint64_t>(item.effective_time.time_since_epoch().count()));
        index_key.append(seq_key);
        batch.Put(records_, seq_key, encode_record(item, appended_ms));
        batch.Put(ids_, item.id, seq_key);
        batch.Put(by_patient_, index_key, rocksdb::Slice());
        in_group.emplace(item.id, seq);
        out[i] = ItemOutcome{seq++, false};
      }
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    if (const rocksdb::Status s = db_->Write(sync, &batch); !s.ok()) {
      error = "cannot write: " + s.ToString();
      return false;
    }
    appended = seq - next_seq_;
    next_seq_ = seq;
    return true;
  }

  void commit_group(std::deque<Pending>& group, std::size_t items) {
    std::vector<std::vector<ItemOutcome>> outcomes;
    std::uint64_t appended = 0;
    std::string error;
    bool ok = true;
    if (items == 0) {  // only empty batches: nothing to make durable
      outcomes.resize(group.size());
    } else {
      ok = write_group(group, outcomes, appended, error);
    }
    {
      std::lock_guard lock(mutex_);
      outstanding_items_ -= items;
      if (ok && items > 0) {
        stats_.appended += appended;
        stats_.duplicates += items - appended;
        ++stats_.commits;
        grouped_items_ += items;
        stats_.avg_group_items = static_cast<double>(grouped_items_) / static_cast<double>(stats_.commits);
      } else if (!ok) {
        ++stats_.failed_commits;
      }
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      AppendResult r;
      if (ok) {
        r.items = std::move(outcomes[i]);
      } else {
        r.status = AppendStatus::io_error;
        r.error = error;
      }
      if (group[i].done) group[i].done(std::move(r));
    }
  }

  // Constant after construction.
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* records_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* by_patient_ = nullptr;
  // Writer thread only.
  std::uint64_t next_seq_ = 1;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;
  // Protected by mutex_.
  std::deque<Pending> queue_;
  std::size_t outstanding_items_ = 0;
  bool closing_ = false;
  LogStats stats_;
  std::uint64_t grouped_items_ = 0;

  std::once_flag close_once_;
  std::thread thread_;  // started last in the constructor
};

// Shared by the threads of one benchmark run: created by thread 0 before the start barrier,
// destroyed by thread 0 after the end barrier.
std::unique_ptr<RocksLog> g_log;
std::filesystem::path g_dir;

void BM_DurableAppend(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_dir = vigil::bench::bench_dir("vigil-rocksdb-bench");
    g_log = std::make_unique<RocksLog>(g_dir / "db");
  }
  vigil::bench::append_closed_loop(state, *g_log);

  if (state.thread_index() == 0) {
    g_log->close();
    const LogStats stats = g_log->stats();
    state.counters["avg_group_items"] = stats.avg_group_items;
    state.counters["fsyncs"] =
        benchmark::Counter(static_cast<double>(stats.commits), benchmark::Counter::kIsRate);
    g_log.reset();
    std::error_code ignored;
    std::filesystem::remove_all(g_dir, ignored);
  }
}

// The same matrix as log_bench.
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
