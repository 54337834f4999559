#include "observability/process_metrics.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace vigil::observability {
namespace {

std::optional<std::uint64_t> to_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(" \n", pos);
    if (pos == std::string_view::npos) break;
    const auto end = text.find_first_of(" \n", pos);
    out.push_back(text.substr(pos, end - pos));
    if (end == std::string_view::npos) break;
    pos = end;
  }
  return out;
}

// /proc files report size 0, so read until EOF rather than by size.
std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return text;
}

std::optional<ProcStat> read_self_stat() {
  const auto text = read_file("/proc/self/stat");
  if (!text) return std::nullopt;
  return parse_proc_self_stat(*text);
}

double ticks_per_second() {
  return static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<double> open_fds() {
  std::error_code ec;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
    ++count;
  }
  if (ec) return std::nullopt;
  return count;
}

}  // namespace

std::optional<ProcStat> parse_proc_self_stat(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  const auto fields = split_spaces(text.substr(close + 1));
  // fields[0] is field 3 (state); field N is fields[N - 3].
  constexpr std::size_t kRss = 24 - 3;
  if (fields.size() <= kRss) return std::nullopt;
  const auto utime = to_u64(fields[14 - 3]);
  const auto stime = to_u64(fields[15 - 3]);
  const auto threads = to_u64(fields[20 - 3]);
  const auto start = to_u64(fields[22 - 3]);
  const auto vsize = to_u64(fields[23 - 3]);
  // rss is signed in the kernel's format; a negative value fails to parse and is rejected.
  const auto rss = to_u64(fields[kRss]);
  if (!utime || !stime || !threads || !start || !vsize || !rss) return std::nullopt;
  return ProcStat{*utime, *stime, *threads, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat_text) {
  std::size_t pos = 0;
  while (pos < proc_stat_text.size()) {
    const auto end = proc_stat_text.find('\n', pos);
    const auto line =
        proc_stat_text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (line.starts_with("btime ")) {
      const auto fields = split_spaces(line);
      return fields.size() == 2 ? to_u64(fields[1]) : std::nullopt;
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

void register_process_metrics(MetricsRegistry& registry) {
  registry.gauge_callback(
      "process_resident_memory_bytes", "Resident memory size in bytes.", []() -> std::optional<double> {
        const auto stat = read_self_stat();
        if (!stat) return std::nullopt;
        return static_cast<double>(stat->rss_pages) * static_cast<double>(::sysconf(_SC_PAGESIZE));
      });
  registry.gauge_callback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                          []() -> std::optional<double> {
                            const auto stat = read_self_stat();
                            if (!stat) return std::nullopt;
                            return static_cast<double>(stat->vsize_bytes);
                          });
  registry.counter_callback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                            []() -> std::optional<double> {
                              const auto stat = read_self_stat();
                              if (!stat) return std::nullopt;
                              return static_cast<double>(stat->utime_ticks + stat->stime_ticks) /
                                     ticks_per_second();
                            });
  registry.gauge_callback("process_open_fds", "Number of open file descriptors.", open_fds);
  registry.gauge_callback(
      "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
      []() -> std::optional<double> {
        const auto stat = read_self_stat();
        const auto proc_stat = read_file("/proc/stat");
        const auto boot = proc_stat ? parse_boot_time(*proc_stat) : std::nullopt;
        if (!stat || !boot) return std::nullopt;
        return static_cast<double>(*boot) + static_cast<double>(stat->start_time_ticks) / ticks_per_second();
      });
  registry.gauge_callback("process_threads", "Number of OS threads in the process.",
                          []() -> std::optional<double> {
                            const auto stat = read_self_stat();
                            if (!stat) return std::nullopt;
                            return static_cast<double>(stat->num_threads);
                          });
}

}  // namespace vigil::observability
