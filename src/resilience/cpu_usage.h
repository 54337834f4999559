#pragma once
// CPU usage of this process, as the adaptive shedder's "is the machine busy" signal.
//
// ProcCpuUsage samples /proc/self/stat (utime + stime) against elapsed ticker time and the CPUs
// this process may use: the sched_getaffinity set, lowered to the cgroup v2 quota in
// /sys/fs/cgroup/cpu.max when there is one (a container limited to 2 CPUs on a 64-CPU host is
// busy at 2 CPUs' worth). Samples are smoothed with an EMA (go-zero's beta 0.95 per 250 ms sample,
// so a spike fades over a few seconds rather than flapping the shedder).
//
// Thread safety: usage() may be called from any thread (one atomic load); sample() and
// start()/stop() from one owning thread at a time.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/ticker.h"

namespace vigil::resilience {

class CpuUsage {
 public:
  virtual ~CpuUsage() = default;
  // Smoothed usage, 0..1 of the CPUs this process may use.
  [[nodiscard]] virtual double usage() const = 0;
};

// A settable value: for tests, and to switch CPU gating off (0) or always on (1).
class FixedCpuUsage final : public CpuUsage {
 public:
  explicit FixedCpuUsage(double value = 0) : value_(value) {}
  [[nodiscard]] double usage() const override { return value_.load(std::memory_order_relaxed); }
  void set(double value) { value_.store(value, std::memory_order_relaxed); }

 private:
  std::atomic<double> value_;
};

// Pure helpers, unit-tested without the real files.
// utime + stime in clock ticks from the text of /proc/<pid>/stat; nullopt when malformed. The
// command name (field 2) may hold spaces and parentheses, so fields are counted after the last ')'.
std::optional<std::uint64_t> parse_proc_stat_ticks(std::string_view text);
// CPUs granted by a cgroup v2 cpu.max ("<quota> <period>", or "max <period>" for no limit);
// nullopt when unlimited or malformed.
std::optional<double> parse_cpu_max(std::string_view text);
// The whole machine's CPU time from the "cpu" line of /proc/stat: {busy, total} ticks, where busy
// leaves out idle and iowait; nullopt when malformed.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_system_cpu_ticks(std::string_view text);
// Busy fraction of `cpus` CPUs over `elapsed`, clamped to 0..1.
double busy_fraction(std::uint64_t ticks, long ticks_per_second, Nanos elapsed, double cpus);

struct ProcCpuOptions {
  // false: this process's share of the CPUs it may use (/proc/self/stat). true: the whole
  // machine's busy share (/proc/stat, go-zero's reading), which also sees a load generator or a
  // noisy neighbour on the same cores; stat_path must then name /proc/stat.
  bool whole_machine = false;
  std::string stat_path = "/proc/self/stat";
  std::string cpu_max_path = "/sys/fs/cgroup/cpu.max";
  std::chrono::milliseconds interval{250};
  double beta = 0.95;  // weight of the previous value in the EMA
};

class ProcCpuUsage final : public CpuUsage {
 public:
  // Reads a first sample as the baseline; usage() is 0 until the next sample().
  explicit ProcCpuUsage(const Ticker& ticker, ProcCpuOptions options = {});
  ~ProcCpuUsage() override;  // stops the sampling thread

  ProcCpuUsage(const ProcCpuUsage&) = delete;
  ProcCpuUsage& operator=(const ProcCpuUsage&) = delete;

  [[nodiscard]] double usage() const override { return usage_.load(std::memory_order_relaxed); }

  // Takes one sample and folds it into the EMA. A sample whose files cannot be read, or that comes
  // less than a microsecond after the last, leaves the value unchanged.
  void sample();

  // A background thread that calls sample() every interval. stop() wakes it at once and joins;
  // both are idempotent.
  void start();
  void stop();

  // CPUs this process may use now (affinity, lowered to the cgroup quota); at least 0.01.
  [[nodiscard]] double usable_cpus() const;

 private:
  const Ticker& ticker_;
  const ProcCpuOptions options_;
  const long ticks_per_second_;
  std::atomic<double> usage_{0};

  // Used by sample() only.
  std::optional<std::uint64_t> last_ticks_;
  std::uint64_t last_total_ = 0;  // whole_machine: total ticks at the last sample
  Nanos last_time_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace vigil::resilience
