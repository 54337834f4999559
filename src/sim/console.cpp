#include "sim/console.h"

#include <fmt/format.h>

#include <iterator>

namespace vigil::sim {
namespace {

// "09:14" of a simulated time (UTC).
std::string clock_time(TimePoint t) {
  const std::string text = format_rfc3339(t);  // 2026-11-22T09:14:03.120Z
  return text.size() >= 16 ? text.substr(11, 5) : text;
}

}  // namespace

std::string format_latency(std::chrono::nanoseconds d) {
  const double ns = static_cast<double>(d.count());
  if (ns >= 1e9) return fmt::format("{:.2f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.1f} ms", ns / 1e6);
  return fmt::format("{:.0f} us", ns / 1e3);
}

std::string format_status(const StatusView& v) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "sim {} | {:.0f} obs/s acked | log lag ", clock_time(v.sim_now), v.acked_per_s);
  if (v.log_lag) {
    fmt::format_to(it, "{}", *v.log_lag);
  } else {
    out += '-';
  }
  fmt::format_to(it, " | alerts L {} LM {} M {} H {} C {} | p99 ", v.alerts[0], v.alerts[1], v.alerts[2],
                 v.alerts[3], v.alerts[4]);
  out += v.p99 ? format_latency(*v.p99) : "-";
  if (v.behind >= std::chrono::seconds(1)) {
    fmt::format_to(it, " | behind {:.1f} s", static_cast<double>(v.behind.count()) / 1000.0);
  }
  if (v.failures > 0) fmt::format_to(it, " | {} failures", v.failures);
  if (v.draining) out += " | draining";
  return out;
}

std::string format_alert(const AlertUpdate& a) {
  return fmt::format("ALERT {:<8} {}  {}  {}  (sim {})", domain::to_string(a.severity), a.patient_id,
                     a.rule_id, a.reason, clock_time(a.at));
}

std::chrono::milliseconds Console::status_interval() const {
  return tty_ ? std::chrono::seconds(1) : std::chrono::seconds(10);
}

void Console::status(const std::string& line) {
  if (out_ == nullptr) return;
  if (tty_) {
    fmt::print(out_, "\r\x1b[K{}", line);
    status_shown_ = true;
    last_status_ = line;
  } else {
    fmt::print(out_, "{}\n", line);
  }
  std::fflush(out_);
}

void Console::line(const std::string& text) {
  if (out_ == nullptr) return;
  if (tty_ && status_shown_) {
    fmt::print(out_, "\r\x1b[K");
    status_shown_ = false;
  }
  fmt::print(out_, "{}\n", text);
  if (tty_ && !last_status_.empty()) {
    fmt::print(out_, "{}", last_status_);
    status_shown_ = true;
  }
  std::fflush(out_);
}

void Console::finish() {
  if (out_ == nullptr) return;
  if (tty_ && status_shown_) fmt::print(out_, "\n");
  status_shown_ = false;
  last_status_.clear();
  std::fflush(out_);
}

}  // namespace vigil::sim
