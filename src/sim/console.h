#pragma once
// What the simulator shows while it runs: one live status line, and one line per alert that reaches
// high or critical.
//
// On a terminal the status line is redrawn in place ("\r" and erase-to-end-of-line) once per second,
// and an alert line first erases it, so the status stays the last line; elsewhere (a pipe, a log
// file) the status is printed as a plain line every 10 seconds and never redrawn.
//
// Thread safety: Console is not synchronised; the simulator uses it from the calling thread only.
// The format functions are pure.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/clock.h"
#include "sim/wire.h"

namespace vigil::sim {

struct StatusView {
  TimePoint sim_now{};
  double acked_per_s = 0;                       // observations acknowledged per real second, recent
  std::optional<std::uint64_t> log_lag;         // from the caller's probe; absent without one
  std::array<std::uint64_t, 5> alerts{};        // alerts by severity, low..critical (domain::Severity - 1)
  std::optional<std::chrono::nanoseconds> p99;  // acknowledgement latency, recent; absent when none
  std::chrono::milliseconds behind{0};          // how far the sender lags its schedule (real time)
  std::uint64_t failures = 0;                   // transport errors and timeouts so far
  bool draining = false;
};

// "sim 09:14 | 1998 obs/s acked | log lag 12 | alerts L 3 LM 5 M 2 H 4 C 0 | p99 8.2 ms", with
// "| behind 3.2 s", "| 4 failures" and "| draining" added when they apply.
std::string format_status(const StatusView& view);

// "ALERT high     DEMO-S03-0127  news2  NEWS2 7 (RR 26 -> 3, ...)  (sim 09:14)"
std::string format_alert(const AlertUpdate& alert);

// "8.2 ms", "950 us", "1.25 s".
std::string format_latency(std::chrono::nanoseconds d);

class Console {
 public:
  // `out` may be null (print nothing). `tty`: redraw in place.
  Console(std::FILE* out, bool tty) : out_(out), tty_(tty) {}

  [[nodiscard]] bool tty() const { return tty_; }
  // Real-time interval between status lines: 1 s on a terminal, 10 s elsewhere.
  [[nodiscard]] std::chrono::milliseconds status_interval() const;

  void status(const std::string& line);
  // A line that stays (an alert, a warning); on a terminal it goes above the status line.
  void line(const std::string& text);
  // Ends the status line so that what follows starts on a fresh line.
  void finish();

 private:
  std::FILE* out_;
  bool tty_;
  bool status_shown_ = false;
  std::string last_status_;  // redrawn under each line() on a terminal
};

}  // namespace vigil::sim
