#include "sim/simulator.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include "loadgen/client.h"
#include "sim/alert_watch.h"
#include "sim/console.h"
#include "sim/run_state.h"
#include "sim/scenario.h"
#include "sim/traffic.h"

namespace vigil::sim {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr auto kPoll = std::chrono::milliseconds(50);
// After the pipeline has caught up, alert events still have to cross the stream: wait until it has
// been quiet this long (at most kMaxQuietWait).
constexpr auto kQuietPeriod = std::chrono::milliseconds(300);
constexpr auto kMaxQuietWait = std::chrono::seconds(2);
// Abandoning cancels every operation; the I/O thread is given this long to wind down.
constexpr auto kWindDown = std::chrono::seconds(5);

std::string check_options(const SimOptions& o) {
  if (!(o.rate > 0)) return "rate must be above 0 observations/s";
  if (o.duration.count() < 0) return "duration must not be negative";
  if (o.connections == 0) return "connections must be at least 1";
  if (o.batch_size == 0 || o.batch_size > 1000) return "batch size must be within 1..1000";
  if (!(o.artefact_probability >= 0 && o.artefact_probability <= 1))
    return "artefact probability must be within [0, 1]";
  if (o.request_timeout.count() <= 0 || o.subscribe_timeout.count() <= 0) return "timeouts must be positive";
  if (o.drain_timeout.count() < 0 || o.settle_timeout.count() < 0)
    return "drain and settle timeouts must not be negative";
  for (const auto& header : o.staff_headers) {
    if (auto why = check_header(header); !why.empty()) return "staff headers: " + why;
  }
  return {};
}

// Each planned patient's device credential, by plan index; empty without a provider. An error
// message in `error` when the provider throws or gives an unusable header.
std::vector<Header> device_credentials(const SimOptions& o, const Plan& plan, std::string& error) {
  std::vector<Header> out;
  if (!o.device_credential) return out;
  out.reserve(plan.patients.size());
  for (const auto& p : plan.patients) {
    try {
      out.push_back(o.device_credential(p.id));
    } catch (const std::exception& e) {
      error = fmt::format("device credential of patient {}: {}", p.id, e.what());
      return {};
    }
    if (out.back().first.empty()) continue;
    if (auto why = check_header(out.back()); !why.empty()) {
      error = fmt::format("device credential of patient {}: {}", p.id, why);
      return {};
    }
  }
  return out;
}

// Resolves and tries one connection, bounded by `timeout`; an error message, or empty when the
// server accepted the connection.
std::string probe_target(const loadgen::TargetUrl& target, std::chrono::milliseconds timeout,
                         tcp::endpoint& out) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(target.host, target.port, ec);
  if (ec || results.empty())
    return fmt::format("cannot resolve {}:{}: {}", target.host, target.port, ec.message());
  out = results.begin()->endpoint();
  tcp::socket socket(io);
  std::optional<boost::system::error_code> result;
  socket.async_connect(out, [&](const boost::system::error_code& e) { result = e; });
  io.run_for(timeout);
  if (!result)
    return fmt::format("cannot connect to {}: no answer within {} ms", target.host_header, timeout.count());
  if (*result) return fmt::format("cannot connect to {}: {}", target.host_header, result->message());
  return {};
}

std::uint64_t random_seed() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

// Runs the io_context on a thread of its own and always joins it, however run() is left.
class IoThread {
 public:
  explicit IoThread(asio::io_context& io) : io_(io), work_(asio::make_work_guard(io)) {
    thread_ = std::thread([this] {
      try {
        io_.run();
      } catch (const std::exception& e) {
        failure_ = e.what();
      }
      done_.store(true);
    });
  }
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;
  ~IoThread() { join(steady::now()); }

  // Lets run() return once the work is done; forces it to stop at `deadline`.
  void join(steady::time_point deadline) {
    if (!thread_.joinable()) return;
    work_.reset();
    while (!done_.load() && steady::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!done_.load()) io_.stop();
    thread_.join();
  }
  [[nodiscard]] const std::string& failure() const { return failure_; }  // after join()

 private:
  asio::io_context& io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::string failure_;
};

// The calling thread's side: the console, the probe, and the status figures between two lines.
class Monitor {
 public:
  Monitor(RunState& state, const SimHooks& hooks, const Clock& clock, Console& console)
      : state_(state), hooks_(hooks), clock_(clock), console_(console), last_at_(steady::now()) {}

  // Prints pending alert lines, and the status line when it is due.
  void tick(bool draining) {
    std::vector<std::string> lines;
    std::uint64_t suppressed = 0;
    {
      std::lock_guard lock(state_.mutex);
      lines.swap(state_.stats.alert_lines);
      std::swap(suppressed, state_.stats.alert_lines_suppressed);
    }
    for (const auto& l : lines) console_.line(l);
    if (suppressed > 0) console_.line(fmt::format("... and {} more high/critical alerts", suppressed));
    const auto now = steady::now();
    if (now - last_at_ >= console_.status_interval()) status(now, draining);
  }

  void status(steady::time_point now, bool draining) {
    StatusView v;
    v.sim_now = clock_.now();
    v.draining = draining;
    if (hooks_.probe) v.log_lag = hooks_.probe().log_lag;
    std::uint64_t acked = 0;
    {
      std::lock_guard lock(state_.mutex);
      auto& s = state_.stats;
      acked = s.observations_acked;
      v.alerts = s.alerts;
      if (s.recent_latency.count() > 0) v.p99 = s.recent_latency.percentile(99);
      s.recent_latency.reset();
      v.behind = s.behind;
      v.failures = s.transport_errors + s.timeouts;
    }
    const double seconds = std::chrono::duration<double>(now - last_at_).count();
    v.acked_per_s = seconds > 0 ? static_cast<double>(acked - last_acked_) / seconds : 0;
    last_acked_ = acked;
    last_at_ = now;
    console_.status(format_status(v));
  }

 private:
  RunState& state_;
  const SimHooks& hooks_;
  const Clock& clock_;
  Console& console_;
  steady::time_point last_at_;
  std::uint64_t last_acked_ = 0;
};

template <typename Done>
bool wait_until(Done done, steady::time_point deadline, Monitor& monitor, bool draining) {
  for (;;) {
    if (done()) return true;
    if (steady::now() >= deadline) return false;
    monitor.tick(draining);
    std::this_thread::sleep_for(kPoll);
  }
}

void fill_summary(const RunStats& s, SimSummary& out) {
  out.observations_generated = s.observations_generated;
  out.observations_sent = s.observations_sent;
  out.observations_acked = s.observations_acked;
  out.observations_duplicate = s.observations_duplicate;
  out.observations_refused = s.observations_refused;
  out.observations_abandoned = s.observations_abandoned;
  out.sets_skipped_in_gaps = s.sets_skipped_in_gaps;
  out.responses_sent = s.responses_sent;
  out.responses_acked = s.responses_acked;
  out.responses_refused = s.responses_refused;
  out.responses_abandoned = s.responses_abandoned;
  out.requests_ok = s.requests_ok;
  out.requests_retried = s.requests_retried;
  out.transport_errors = s.transport_errors;
  out.timeouts = s.timeouts;
  out.requests_refused = s.requests_refused;
  out.refusals = s.refusals;
  out.latency_count = s.latency.count();
  out.latency_p50 = s.latency.percentile(50);
  out.latency_p99 = s.latency.percentile(99);
  out.latency_max = s.latency.max();
  out.alerts = s.alerts;
  out.alert_events = s.alert_events;
  out.stream_reconnects = s.stream_reconnects;
  if (s.unreadable_events > 0) {
    out.warnings.push_back(fmt::format("{} alert-stream events could not be read", s.unreadable_events));
  }
  if (!s.io_failure.empty()) out.warnings.push_back(s.io_failure);
}

EvaluationInput evaluation_input(const Plan& plan, TimePoint end, std::vector<AlertChangeSeen> firings) {
  EvaluationInput in;
  in.start = plan.start;
  in.end = end;
  in.patients = plan.patients.size();
  for (const auto& p : plan.patients) {
    if (p.episode)
      in.episodes.push_back(EpisodeRecord{p.id, p.episode->onset, p.episode->peak(), p.episode->end()});
  }
  in.changes = std::move(firings);
  return in;
}

}  // namespace

SimSummary run(const SimOptions& options, const registry::Registry& registry, const ScaledClock& clock,
               const SimHooks& hooks) {
  SimSummary summary;
  if (summary.error = check_options(options); !summary.error.empty()) return summary;
  loadgen::TargetUrl target;
  try {
    target = loadgen::parse_target_url(options.url);
  } catch (const loadgen::LoadgenError& e) {
    summary.error = e.what();
    return summary;
  }
  tcp::endpoint endpoint;
  if (summary.error = probe_target(target, options.subscribe_timeout, endpoint); !summary.error.empty()) {
    return summary;
  }

  ScenarioOptions scenario;
  scenario.seed = options.seed;
  scenario.rate = options.rate;
  scenario.speed = clock.speed();
  scenario.episode_fraction = options.episode_fraction;
  scenario.gap_fraction = options.gap_fraction;
  scenario.horizon = options.duration.count() > 0
                         ? std::chrono::duration_cast<Duration>(options.duration * clock.speed())
                         : options.episode_horizon;
  Plan plan;
  try {
    plan = make_plan(registry, scenario, clock.now());
  } catch (const std::invalid_argument& e) {
    summary.error = e.what();
    return summary;
  }
  auto credentials = device_credentials(options, plan, summary.error);
  if (!summary.error.empty()) return summary;
  summary.patients = plan.patients.size();
  summary.sim_start = plan.start;

  RunState state;
  asio::io_context io{1};
  AlertWatch watch(io, endpoint, target.host_header, target.path_prefix, options.staff_headers,
                   options.subscribe_timeout, state);
  TrafficOptions traffic_options{
      options.connections,     options.batch_size,           options.flush_after,
      options.request_timeout, options.artefact_probability, clock.speed(),
      target.host_header,      target.path_prefix,           std::move(credentials)};
  Traffic traffic(io, plan, clock, endpoint, std::move(traffic_options), state, random_seed());
  const bool tty = options.tty.value_or(options.out != nullptr && ::isatty(::fileno(options.out)) != 0);
  Console console(options.out, tty);
  Monitor monitor(state, hooks, clock, console);
  const auto stop_requested = [&] { return hooks.stop_requested && hooks.stop_requested(); };

  IoThread io_thread(io);
  asio::post(io, [&] { watch.start(); });
  // Subscribe before sending: the stream starts with the next event, and our first alerts must
  // not be missed.
  const bool subscribed = wait_until(
      [&] {
        std::lock_guard lock(state.mutex);
        return state.stats.subscribed || stop_requested();
      },
      steady::now() + options.subscribe_timeout, monitor, false);
  if (!subscribed) {
    std::lock_guard lock(state.mutex);
    const std::string why =
        fmt::format("the alert stream was not subscribed within {} ms ({}); alerts may be missed",
                    options.subscribe_timeout.count(), state.stats.stream_error);
    summary.warnings.push_back(why);
    console.line("warning: " + why);
  }

  const auto started = steady::now();
  asio::post(io, [&] { traffic.start(); });
  wait_until(
      [&] {
        return stop_requested() ||
               (options.duration.count() > 0 && steady::now() - started >= options.duration);
      },
      steady::time_point::max(), monitor, false);

  // Drain: no new data, wait for what is queued or in flight.
  asio::post(io, [&] { traffic.stop_producing(); });
  summary.sim_end = clock.now();
  const auto drained = [&] {
    std::lock_guard lock(state.mutex);
    return state.stats.producer_done && state.stats.pending_jobs == 0;
  };
  if (!wait_until(drained, steady::now() + options.drain_timeout, monitor, true)) {
    asio::post(io, [&] { traffic.abandon(); });
    if (!wait_until(drained, steady::now() + kWindDown, monitor, true)) {
      summary.warnings.push_back("requests still in flight after the drain was abandoned");
    }
  }
  summary.real_seconds = std::chrono::duration<double>(steady::now() - started).count();

  // Settle: let the pipeline process the last records, and their alerts cross the stream.
  if (hooks.probe) {
    const bool caught_up = wait_until([&] { return hooks.probe().log_lag == 0; },
                                      steady::now() + options.settle_timeout, monitor, true);
    if (!caught_up)
      summary.warnings.push_back("the pipeline had not caught up with the log when the run ended");
  }
  const auto quiet_deadline = steady::now() + kMaxQuietWait;
  wait_until(
      [&] {
        std::lock_guard lock(state.mutex);
        return steady::now() - std::max(state.stats.last_alert_event, started) >= kQuietPeriod;
      },
      quiet_deadline, monitor, true);
  monitor.tick(true);
  console.finish();

  asio::post(io, [&] {
    watch.stop();
    traffic.abandon();
  });
  io_thread.join(steady::now() + kWindDown);
  if (!io_thread.failure().empty())
    summary.warnings.push_back("simulator I/O thread: " + io_thread.failure());

  std::vector<AlertChangeSeen> firings;
  {
    std::lock_guard lock(state.mutex);
    fill_summary(state.stats, summary);
    firings = state.stats.firings;
  }
  if (hooks.probe) summary.stored = hooks.probe().stored;
  summary.evaluation = evaluate(evaluation_input(plan, summary.sim_end, std::move(firings)));
  return summary;
}

}  // namespace vigil::sim
