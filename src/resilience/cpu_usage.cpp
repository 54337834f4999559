#include "resilience/cpu_usage.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "common/text.h"
#include "common/thread_name.h"

namespace vigil::resilience {
namespace {

// A cgroup file ends in a newline.
constexpr std::string_view kSpaceOrNewline = " \t\r\n";

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Reads a small file into `buf` without allocating; returns the text, or nullopt.
std::optional<std::string_view> read_small_file(const std::string& path, char* buf, std::size_t cap) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::size_t size = 0;
  while (size < cap) {
    const ssize_t n = ::read(fd, buf + size, cap - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return std::string_view(buf, size);
}

}  // namespace

std::optional<std::uint64_t> parse_proc_stat_ticks(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  // After the name: state is field 3, utime field 14, stime field 15.
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  int field = 2;
  while (field < 15) {
    rest = rest.substr(std::min(rest.size(), rest.find_first_not_of(' ')));
    if (rest.empty()) return std::nullopt;
    const std::string_view token = rest.substr(0, rest.find_first_of(" \n"));
    rest = rest.substr(token.size());
    ++field;
    if (field == 14 && !parse_number(token, utime)) return std::nullopt;
    if (field == 15 && !parse_number(token, stime)) return std::nullopt;
  }
  return utime + stime;
}

std::optional<double> parse_cpu_max(std::string_view text) {
  text = trim(text, kSpaceOrNewline);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota = text.substr(0, space);
  std::uint64_t period = 0;
  if (!parse_number(trim(text.substr(space + 1), kSpaceOrNewline), period) || period == 0)
    return std::nullopt;
  std::uint64_t q = 0;
  if (quota == "max" || !parse_number(quota, q) || q == 0) return std::nullopt;
  return static_cast<double>(q) / static_cast<double>(period);
}

double busy_fraction(std::uint64_t ticks, long ticks_per_second, Nanos elapsed, double cpus) {
  if (elapsed.count() <= 0 || ticks_per_second <= 0 || cpus <= 0) return 0;
  const double busy_seconds = static_cast<double>(ticks) / static_cast<double>(ticks_per_second);
  const double available_seconds = static_cast<double>(elapsed.count()) / 1e9 * cpus;
  return std::clamp(busy_seconds / available_seconds, 0.0, 1.0);
}

ProcCpuUsage::ProcCpuUsage(const Ticker& ticker, ProcCpuOptions options)
    : ticker_(ticker), options_(std::move(options)), ticks_per_second_(::sysconf(_SC_CLK_TCK)) {
  sample();
}

ProcCpuUsage::~ProcCpuUsage() {
  stop();
}

double ProcCpuUsage::usable_cpus() const {
  double cpus = 1;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) cpus = CPU_COUNT(&set);
  char buf[128];
  if (auto text = read_small_file(options_.cpu_max_path, buf, sizeof(buf))) {
    if (auto quota = parse_cpu_max(*text)) cpus = std::min(cpus, *quota);
  }
  return std::max(cpus, 0.01);
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_system_cpu_ticks(std::string_view text) {
  if (!text.starts_with("cpu ")) return std::nullopt;
  text.remove_prefix(4);
  std::uint64_t fields[8] = {};  // user nice system idle iowait irq softirq steal
  int n = 0;
  while (n < 8) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty() || text.front() == '\n') break;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fields[n]);
    if (ec != std::errc{}) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    ++n;
  }
  if (n < 4) return std::nullopt;
  std::uint64_t total = 0;
  for (int i = 0; i < n; ++i) total += fields[i];
  const std::uint64_t idle = fields[3] + (n > 4 ? fields[4] : 0);
  return std::pair{total - idle, total};
}

void ProcCpuUsage::sample() {
  char buf[1024];
  const auto text = read_small_file(options_.stat_path, buf, sizeof(buf));
  if (options_.whole_machine) {
    const auto machine = text ? parse_system_cpu_ticks(*text) : std::nullopt;
    if (!machine) return;
    const auto [busy, total] = *machine;
    if (last_ticks_ && total > last_total_ && busy >= *last_ticks_) {
      const double current = std::clamp(
          static_cast<double>(busy - *last_ticks_) / static_cast<double>(total - last_total_), 0.0, 1.0);
      const double previous = usage_.load(std::memory_order_relaxed);
      usage_.store(previous * options_.beta + current * (1 - options_.beta), std::memory_order_relaxed);
    }
    last_ticks_ = busy;
    last_total_ = total;
    return;
  }
  const std::optional<std::uint64_t> ticks = text ? parse_proc_stat_ticks(*text) : std::nullopt;
  if (!ticks) return;
  const Nanos now = ticker_.now();
  if (!last_ticks_) {
    last_ticks_ = ticks;
    last_time_ = now;
    return;
  }
  if (now - last_time_ < std::chrono::microseconds(1)) return;
  const std::uint64_t delta = *ticks >= *last_ticks_ ? *ticks - *last_ticks_ : 0;
  const double current = busy_fraction(delta, ticks_per_second_, now - last_time_, usable_cpus());
  last_ticks_ = ticks;
  last_time_ = now;
  const double previous = usage_.load(std::memory_order_relaxed);
  usage_.store(previous * options_.beta + current * (1 - options_.beta), std::memory_order_relaxed);
}

void ProcCpuUsage::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    name_this_thread("vigil-cpu-probe");
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
      lock.unlock();
      sample();
      lock.lock();
    }
  });
}

void ProcCpuUsage::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vigil::resilience
