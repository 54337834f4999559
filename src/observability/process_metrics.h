#pragma once
// The standard Prometheus process_* metrics, read from /proc at scrape time (Linux only).
//
// Parsing is split into pure functions over file text so that it can be tested with fixed samples;
// register_process_metrics() only wires the readers into a registry.
//
// Thread safety: the parsers are pure; the registered callbacks read /proc and may run on any
// thread. A read that fails omits that sample from the scrape rather than reporting a made-up 0.
#include <cstdint>
#include <optional>
#include <string_view>

#include "observability/metrics.h"

namespace vigil::observability {

// The fields of /proc/<pid>/stat that the metrics need, in the kernel's own units.
struct ProcStat {
  std::uint64_t utime_ticks = 0;       // field 14, clock ticks
  std::uint64_t stime_ticks = 0;       // field 15, clock ticks
  std::uint64_t num_threads = 0;       // field 20
  std::uint64_t start_time_ticks = 0;  // field 22, clock ticks after boot
  std::uint64_t vsize_bytes = 0;       // field 23
  std::uint64_t rss_pages = 0;         // field 24
};

// The command name (field 2) is in parentheses and may itself contain spaces and ')', so fields
// are counted from the last ')'. Returns nullopt for text that does not have them all.
std::optional<ProcStat> parse_proc_self_stat(std::string_view text);

// The "btime <seconds since the epoch>" line of /proc/stat.
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat_text);

// Adds process_resident_memory_bytes, process_virtual_memory_bytes, process_cpu_seconds_total,
// process_open_fds, process_start_time_seconds and process_threads. Throws std::invalid_argument
// (from the registry) if any of those names is already registered.
void register_process_metrics(MetricsRegistry& registry);

}  // namespace vigil::observability
