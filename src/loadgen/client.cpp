#include "loadgen/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "loadgen/alert_probe.h"
#include "loadgen/alert_stream.h"
#include "loadgen/awaitable.h"

namespace vigil::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::int64_t kNoDeadline = INT64_MAX;
// A connection that could not be (re)opened waits this long before the next attempt, so a server
// that is down does not turn the generator into a busy loop.
constexpr auto kReconnectPause = std::chrono::milliseconds(10);
// Answers larger than this are a protocol error for our purposes (alerts pages are a few KB).
constexpr std::uint64_t kMaxResponseBody = 8 * 1024 * 1024;

struct Connection {
  explicit Connection(asio::io_context& io) : socket(io), timer(io) {}
  tcp::socket socket;
  asio::steady_timer timer;
  beast::flat_buffer buffer;
  std::optional<RequestBuilder> builder;
  std::int64_t deadline_ns = kNoDeadline;  // of the request in flight
  bool timed_out = false;                  // the watchdog cancelled the request in flight
};

// One load thread: its own io_context, connections, schedule share and statistics. Everything in
// it is touched only by its thread while running, and by the caller after join().
class LoadThread {
 public:
  LoadThread(const LoadOptions& options, const Ticks& ticks, tcp::endpoint endpoint)
      : options_(options), ticks_(ticks), endpoint_(endpoint), watchdog_(io_) {}

  void add_connection(RequestBuilder builder) {
    auto& c = connections_.emplace_back(std::make_unique<Connection>(io_));
    c->builder.emplace(std::move(builder));
  }
  // Opens every connection now (blocking); returns how many opened and the first failure.
  std::pair<std::size_t, boost::system::error_code> preconnect() {
    std::size_t opened = 0;
    boost::system::error_code first;
    for (auto& c : connections_) {
      boost::system::error_code ec;
      c->socket.connect(endpoint_, ec);
      if (!ec) c->socket.set_option(tcp::no_delay(true), ec);
      if (ec) {
        if (!first) first = ec;
        boost::system::error_code ignored;
        c->socket.close(ignored);
      } else {
        ++opened;
      }
    }
    return {opened, first};
  }
  void set_window(Window window) { window_ = window; }
  void set_schedule(OpenLoopSchedule schedule) { schedule_.emplace(schedule); }
  void set_quota(std::uint64_t quota) { quota_ = quota; }
  void set_alert_probe(AlertProbe& probe) { probe_ = &probe; }

  void run() {
    active_ = connections_.size();
    for (auto& c : connections_) asio::co_spawn(io_, drive(*c), [this](std::exception_ptr e) { keep(e); });
    asio::co_spawn(io_, watch(), [this](std::exception_ptr e) { keep(e); });
    io_.run();
    if (schedule_ && (quota_ == 0 || sent_ < quota_)) {
      // Measured slots that were due by the end and never taken: the backlog the run left behind.
      const std::uint64_t due = schedule_->slots_before(std::min(ticks_.now_ns(), window_.end_ns));
      const std::uint64_t first =
          std::max(schedule_->taken(), schedule_->slots_before(window_.measure_from_ns));
      stats_.unsent = due > first ? due - first : 0;
    }
  }

  RunStats& stats() { return stats_; }
  [[nodiscard]] std::int64_t last_completion_ns() const { return last_completion_ns_; }
  [[nodiscard]] std::exception_ptr failure() const { return failure_; }

 private:
  void keep(std::exception_ptr e) {
    if (e && !failure_) failure_ = e;
  }

  asio::awaitable<void> drive(Connection& c) {
    for (;;) {
      if (quota_ != 0 && sent_ >= quota_) break;
      const std::int64_t now = ticks_.now_ns();
      if (window_.over(now)) break;
      std::int64_t intended = now;
      std::optional<Slot> slot;
      if (schedule_) {
        slot = schedule_->next();
        if (!slot) break;
        intended = slot->intended_ns;
      }
      // Counted before any wait: other connections run while this one sleeps until its slot.
      ++sent_;
      if (intended > now) {
        c.timer.expires_after(std::chrono::nanoseconds(intended - now));
        co_await c.timer.async_wait(kTuple);
      }
      co_await exchange(c, intended);
    }
    boost::system::error_code ignored;
    c.socket.shutdown(tcp::socket::shutdown_both, ignored);
    c.socket.close(ignored);
    if (--active_ == 0) watchdog_.cancel();
  }

  // One request/response on `c`, started (or due) at `intended`.
  asio::awaitable<void> exchange(Connection& c, std::int64_t intended) {
    const bool measured = window_.measured(intended);
    if (!c.socket.is_open()) {
      auto [ec] = co_await c.socket.async_connect(endpoint_, kTuple);
      if (!ec) c.socket.set_option(tcp::no_delay(true), ec);
      if (ec) {
        boost::system::error_code ignored;
        c.socket.close(ignored);
        if (measured) ++stats_.counts.errors;
        c.timer.expires_after(kReconnectPause);
        co_await c.timer.async_wait(kTuple);
        co_return;
      }
    }
    const Request request = c.builder->next(measured);
    if (!request.alert_id.empty()) probe_->sent(request.alert_id, intended);
    c.timed_out = false;
    c.deadline_ns = ticks_.now_ns() + options_.timeout.count();
    const std::array<asio::const_buffer, 2> bytes{asio::buffer(request.head), asio::buffer(request.body)};
    const std::int64_t sent_at = ticks_.now_ns();
    auto [write_ec, written] = co_await asio::async_write(c.socket, bytes, kTuple);
    boost::system::error_code ec = write_ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    if (!ec) {
      auto [read_ec, read] = co_await http::async_read(c.socket, c.buffer, parser, kTuple);
      ec = read_ec;
    }
    c.deadline_ns = kNoDeadline;
    const std::int64_t done = ticks_.now_ns();
    if (!request.alert_id.empty()) {
      const unsigned status = ec ? 0 : parser.get().result_int();
      probe_->answered(request.alert_id, status >= 200 && status < 300);
    }

    const bool done_in_window = window_.measured(done);
    if (ec) {
      if (measured) ++(c.timed_out ? stats_.counts.timeouts : stats_.counts.errors);
      if (done_in_window) ++(c.timed_out ? stats_.completed.timeouts : stats_.completed.errors);
      boost::system::error_code ignored;
      c.socket.close(ignored);
      c.buffer.clear();
      co_return;
    }
    const auto& response = parser.get();
    if (!response.keep_alive()) {
      boost::system::error_code ignored;
      c.socket.close(ignored);
      c.buffer.clear();
    }
    const unsigned status = response.result_int();
    if (done_in_window) count_status(stats_.completed, status);
    if (!measured) co_return;
    stats_.latency.record(std::chrono::nanoseconds(done - intended));
    last_completion_ns_ = std::max(last_completion_ns_, done);
    count_status(stats_.counts, status);
    if (status >= 200 && status < 300) {
      stats_.observations_acked += request.observations;
      stats_.service_ok.record(std::chrono::nanoseconds(done - sent_at));
    } else if (status == 429 || status == 503) {
      stats_.service_refused.record(std::chrono::nanoseconds(done - sent_at));
    }
  }

  static void count_status(StatusCounts& counts, unsigned status) {
    if (status >= 200 && status < 300) {
      ++counts.ok;
    } else if (status == 429) {
      ++counts.too_many;
    } else if (status == 503) {
      ++counts.unavailable;
    } else {
      ++counts.other;
    }
  }

  // Cancels requests past their deadline. Polling a few times per timeout costs far less than a
  // timer per request, and a timeout only needs to be approximately on time.
  asio::awaitable<void> watch() {
    const auto period = std::clamp<std::chrono::nanoseconds>(
        options_.timeout / 4, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
    while (active_ > 0) {
      watchdog_.expires_after(period);
      co_await watchdog_.async_wait(kTuple);
      const std::int64_t now = ticks_.now_ns();
      for (auto& c : connections_) {
        if (c->deadline_ns <= now && !c->timed_out) {
          c->timed_out = true;
          boost::system::error_code ignored;
          c->socket.cancel(ignored);
        }
      }
    }
  }

  const LoadOptions& options_;
  const Ticks& ticks_;
  Window window_;
  const tcp::endpoint endpoint_;
  asio::io_context io_{1};
  asio::steady_timer watchdog_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::optional<OpenLoopSchedule> schedule_;
  AlertProbe* probe_ = nullptr;  // alert-latency only; outlives the thread
  std::uint64_t quota_ = 0;
  std::uint64_t sent_ = 0;
  std::size_t active_ = 0;
  RunStats stats_;
  std::int64_t last_completion_ns_ = 0;
  std::exception_ptr failure_;
};

void validate(const LoadOptions& o) {
  if (o.connections == 0) throw LoadgenError("connections must be at least 1");
  if (o.threads == 0) throw LoadgenError("threads must be at least 1");
  if (o.mode == Mode::open && !(o.rate > 0)) throw LoadgenError("open loop needs a rate above 0");
  if (o.duration.count() <= 0) throw LoadgenError("duration must be positive");
  if (o.warmup.count() < 0) throw LoadgenError("warm-up must not be negative");
  if (o.timeout.count() <= 0) throw LoadgenError("timeout must be positive");
  if (o.patients.sites == 0 || o.patients.patients_per_site == 0) {
    throw LoadgenError("sites and patients per site must be at least 1");
  }
  if (o.scenario == Scenario::alert_latency) {
    if (o.mode != Mode::open) throw LoadgenError("alert-latency runs open loop (--mode open with a --rate)");
    if (!(o.alert_fraction > 0 && o.alert_fraction <= 1))
      throw LoadgenError("alert fraction must be in (0, 1]");
    if (o.alert_wait.count() < 0) throw LoadgenError("alert wait must not be negative");
  }
  if (!o.bearer_token.empty()) {
    for (const Header& h : o.headers) {
      if (same_header_name(h.name, "Authorization")) {
        throw LoadgenError("--token and an Authorization --header both set the Authorization header");
      }
    }
  }
}

// The stream's headers: its own, or else whatever the requests carry statically.
std::vector<Header> stream_headers(const LoadOptions& o) {
  if (!o.stream_headers.empty()) return o.stream_headers;
  std::vector<Header> out = o.headers;
  if (!o.bearer_token.empty()) out.push_back({"Authorization", "Bearer " + o.bearer_token});
  return out;
}

tcp::endpoint resolve(const TargetUrl& target) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(target.host, target.port, ec);
  if (ec || results.empty()) {
    throw LoadgenError(fmt::format("cannot resolve {}:{}: {}", target.host, target.port, ec.message()));
  }
  return results.begin()->endpoint();
}

}  // namespace

TargetUrl parse_target_url(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw LoadgenError(fmt::format("'{}' is not a URL: {}", url, parsed.error().message()));
  const auto& u = *parsed;
  if (u.scheme() != "http") throw LoadgenError(fmt::format("'{}': only http:// URLs are supported", url));
  if (u.host().empty()) throw LoadgenError(fmt::format("'{}' has no host", url));
  TargetUrl t;
  // IPv6 literals resolve without their brackets but keep them in the Host header.
  t.host = u.host_type() == boost::urls::host_type::ipv6 ? u.host_ipv6_address().to_string()
                                                         : std::string(u.host());
  t.port = u.has_port() ? std::string(u.port()) : "80";
  t.host_header = std::string(u.encoded_host_and_port());
  t.path_prefix = std::string(u.encoded_path());
  while (!t.path_prefix.empty() && t.path_prefix.back() == '/') t.path_prefix.pop_back();
  return t;
}

Report run_load(const LoadOptions& options, const Ticks& ticks, const Clock& wall) {
  validate(options);
  const TargetUrl target = parse_target_url(options.url);
  const tcp::endpoint endpoint = resolve(target);
  const unsigned threads = std::min(options.threads, options.connections);

  std::uint64_t seed = options.seed;
  if (seed == 0) seed = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  FastRandom seeds(seed);

  const TargetInfo info{target.host_header, target.path_prefix, options.bearer_token, options.headers};
  std::optional<AlertProbe> probe;
  if (options.scenario == Scenario::alert_latency)
    probe.emplace(options.credentials, options.patients, options.alert_skip);
  std::vector<std::unique_ptr<LoadThread>> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<LoadThread>(options, ticks, endpoint));
    if (probe) workers.back()->set_alert_probe(*probe);
  }
  for (unsigned i = 0; i < options.connections; ++i) {
    RequestBuilder builder(options.scenario, info, options.patients, seeds.next(), wall);
    if (!options.credentials.empty())
      builder.set_credential(credential_for_connection(options.credentials, i));
    if (probe) builder.set_alert_probe(*probe, options.alert_fraction);
    workers[i % threads]->add_connection(std::move(builder));
  }
  // Connections open before the clock starts, so connecting is not part of the measured run. Ones
  // that fail here are retried during the run; a target nobody can reach is an error now.
  bool any_connected = false;
  boost::system::error_code first_error;
  for (auto& w : workers) {
    const auto [connected, ec] = w->preconnect();
    any_connected = any_connected || connected > 0;
    if (ec && !first_error) first_error = ec;
  }
  if (!any_connected) {
    throw LoadgenError(fmt::format("cannot connect to {}: {}", options.url, first_error.message()));
  }

  // Subscribed before the first reading, so no alert of this run can be missed.
  std::optional<AlertStream> stream;
  if (probe) {
    stream.emplace(endpoint, target.host_header, target.path_prefix, stream_headers(options), *probe, ticks);
    stream->start(options.timeout);
  }

  const Window window = Window::make(ticks.now_ns(), options.warmup, options.duration);
  for (unsigned t = 0; t < threads; ++t) {
    auto& worker = *workers[t];
    worker.set_window(window);
    if (options.mode == Mode::open) {
      // Threads interleave: thread t takes every threads-th slot of the aggregate schedule.
      const double aggregate_interval_ns = 1e9 / options.rate;
      worker.set_schedule(OpenLoopSchedule(window.start_ns + std::llround(aggregate_interval_ns * t),
                                           options.rate / threads, window.end_ns));
    }
    if (options.max_requests != 0) {
      worker.set_quota(options.max_requests / threads + (t < options.max_requests % threads ? 1 : 0));
    }
  }

  std::vector<std::thread> running;
  running.reserve(threads);
  for (auto& w : workers) running.emplace_back([&w] { w->run(); });
  for (auto& t : running) t.join();
  if (stream) {
    probe->wait_settled(options.alert_wait);
    stream->stop();
  }

  Report report;
  report.url = options.url;
  report.scenario = std::string(scenario_name(options.scenario));
  report.mode = options.mode == Mode::open ? "open" : "closed";
  report.target_rate = options.mode == Mode::open ? options.rate : 0;
  report.connections = options.connections;
  report.threads = threads;
  report.warmup_s = static_cast<double>(options.warmup.count()) / 1e9;
  std::int64_t last = 0;
  for (auto& w : workers) {
    if (auto e = w->failure()) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        throw LoadgenError(fmt::format("load thread failed: {}", ex.what()));
      } catch (...) {
        throw LoadgenError("load thread failed with an unknown exception");
      }
    }
    report.stats.merge(w->stats());
    last = std::max(last, w->last_completion_ns());
  }
  // A run cut short by max_requests is measured up to its last answer, not to the nominal end.
  const std::int64_t measured_end =
      last > window.measure_from_ns ? std::min(last, window.end_ns) : window.end_ns;
  report.measured_s = static_cast<double>(measured_end - window.measure_from_ns) / 1e9;
  if (probe) report.alerts = probe->stats();
  return report;
}

Report run_load(const LoadOptions& options) {
  static const SteadyTicks ticks;
  static const SystemClock wall;
  return run_load(options, ticks, wall);
}

}  // namespace vigil::loadgen
