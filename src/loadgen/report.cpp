#include "loadgen/report.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

namespace vigil::loadgen {
namespace {

// Whole microseconds and whole requests per second: finer figures are noise at these scales, and
// integers keep the JSON line readable (Boost.JSON writes every double in exponent form).
std::int64_t us(std::chrono::nanoseconds d) {
  return (d.count() + 500) / 1000;
}
std::int64_t whole(double v) {
  return std::llround(v);
}

std::string human_latency(std::chrono::nanoseconds d) {
  const double v = static_cast<double>(d.count());
  if (v < 1e6) return fmt::format("{:.0f} us", v / 1e3);
  if (v < 1e9) return fmt::format("{:.2f} ms", v / 1e6);
  return fmt::format("{:.2f} s", v / 1e9);
}

boost::json::object latency_json(const Histogram& h) {
  return boost::json::object{{"count", h.count()},
                             {"min", us(h.min())},
                             {"mean", us(h.mean())},
                             {"p50", us(h.percentile(50))},
                             {"p90", us(h.percentile(90))},
                             {"p99", us(h.percentile(99))},
                             {"p999", us(h.percentile(99.9))},
                             {"max", us(h.max())}};
}

std::string latency_line(const Histogram& h) {
  return fmt::format("p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  mean {}", human_latency(h.percentile(50)),
                     human_latency(h.percentile(90)), human_latency(h.percentile(99)),
                     human_latency(h.percentile(99.9)), human_latency(h.max()), human_latency(h.mean()));
}

void append_alert_text(std::string& out, const AlertLatencyStats& a) {
  out += fmt::format(
      "  alerts     {} alerting readings sent, {} rejected; {} matched ({} opened, {} updated), "
      "{} missing\n",
      a.sent, a.rejected, a.matched(), a.opened, a.updated, a.missing);
  out += fmt::format("  stream     {} unmatched events, {} repeat, {} unreadable, {} reconnects\n",
                     a.unmatched_events, a.repeat_events, a.unreadable_events, a.stream_reconnects);
  out += fmt::format("  ingest->alert  {} (n={})\n", latency_line(a.latency), a.latency.count());
  if (a.patients_exhausted) {
    out += fmt::format(
        "  note       all {} patients had their alerting reading; later readings were normal\n", a.patients);
  }
  if (a.updated > 0) {
    out += "  note       'updated' means the patient's alert was already open (resolve it for 'opened')\n";
  }
}

}  // namespace

void StatusCounts::merge(const StatusCounts& o) {
  ok += o.ok;
  too_many += o.too_many;
  unavailable += o.unavailable;
  other += o.other;
  errors += o.errors;
  timeouts += o.timeouts;
}

void RunStats::merge(const RunStats& o) {
  counts.merge(o.counts);
  observations_acked += o.observations_acked;
  unsent += o.unsent;
  latency.merge(o.latency);
  service_ok.merge(o.service_ok);
  service_refused.merge(o.service_refused);
  completed.merge(o.completed);
}

double Report::acknowledged_per_s() const {
  return measured_s > 0 ? static_cast<double>(stats.counts.ok) / measured_s : 0;
}

double Report::observations_per_s() const {
  return measured_s > 0 ? static_cast<double>(stats.observations_acked) / measured_s : 0;
}

double Report::completed_ok_per_s() const {
  return measured_s > 0 ? static_cast<double>(stats.completed.ok) / measured_s : 0;
}

double Report::completed_refused_per_s() const {
  const auto refused = stats.completed.too_many + stats.completed.unavailable;
  return measured_s > 0 ? static_cast<double>(refused) / measured_s : 0;
}

std::string format_text(const Report& r) {
  const auto& c = r.stats.counts;
  const auto& h = r.stats.latency;
  std::string out = fmt::format("loadgen {} {} loop", r.scenario, r.mode);
  if (r.mode == "open") out += fmt::format(" at {:.0f} req/s", r.target_rate);
  out += fmt::format(", {} connections on {} thread{}, {}\n", r.connections, r.threads,
                     r.threads == 1 ? "" : "s", r.url);
  out += fmt::format("  measured   {:.2f} s after {:.2f} s warm-up\n", r.measured_s, r.warmup_s);
  out +=
      fmt::format("  requests   {} sent, {} acknowledged ({:.1f}/s), {} observations ({:.1f}/s)\n", c.total(),
                  c.ok, r.acknowledged_per_s(), r.stats.observations_acked, r.observations_per_s());
  out += fmt::format("  status     2xx {}  429 {}  503 {}  other {}  errors {}  timeouts {}", c.ok,
                     c.too_many, c.unavailable, c.other, c.errors, c.timeouts);
  if (r.mode == "open") out += fmt::format("  unsent {}", r.stats.unsent);
  out += '\n';
  out += fmt::format("  latency    {}\n", latency_line(h));
  if (r.mode == "open") {
    // Only an open loop can fall behind its schedule; closed, these equal the lines above.
    out += fmt::format("  answered   in the window: 2xx {:.1f}/s, 429+503 {:.1f}/s\n", r.completed_ok_per_s(),
                       r.completed_refused_per_s());
    out += fmt::format("  server 2xx {}\n", latency_line(r.stats.service_ok));
    if (r.stats.service_refused.count() > 0) {
      out += fmt::format("  server ref {}\n", latency_line(r.stats.service_refused));
    }
  }
  if (r.alerts.enabled) append_alert_text(out, r.alerts);
  return out;
}

std::string format_json(const Report& r) {
  const auto& c = r.stats.counts;
  const auto& h = r.stats.latency;
  boost::json::object o;
  o["url"] = r.url;
  o["scenario"] = r.scenario;
  o["mode"] = r.mode;
  o["target_rate"] = r.target_rate;
  o["connections"] = r.connections;
  o["threads"] = r.threads;
  o["warmup_s"] = r.warmup_s;
  o["measured_s"] = r.measured_s;
  o["requests"] = c.total();
  o["acknowledged"] = c.ok;
  o["acknowledged_per_s"] = whole(r.acknowledged_per_s());
  o["observations"] = r.stats.observations_acked;
  o["observations_per_s"] = whole(r.observations_per_s());
  o["unsent"] = r.stats.unsent;
  o["status"] = boost::json::object{{"2xx", c.ok},      {"429", c.too_many},  {"503", c.unavailable},
                                    {"other", c.other}, {"errors", c.errors}, {"timeouts", c.timeouts}};
  o["latency_us"] = latency_json(h);
  const auto& d = r.stats.completed;
  o["completed"] = boost::json::object{{"2xx", d.ok},      {"429", d.too_many},  {"503", d.unavailable},
                                       {"other", d.other}, {"errors", d.errors}, {"timeouts", d.timeouts}};
  o["completed_2xx_per_s"] = whole(r.completed_ok_per_s());
  o["completed_refused_per_s"] = whole(r.completed_refused_per_s());
  o["service_us"] = boost::json::object{{"2xx", latency_json(r.stats.service_ok)},
                                        {"refused", latency_json(r.stats.service_refused)}};
  if (r.alerts.enabled) {
    const auto& a = r.alerts;
    o["alert_latency"] = boost::json::object{{"patients", a.patients},
                                             {"patients_exhausted", a.patients_exhausted},
                                             {"sent", a.sent},
                                             {"rejected", a.rejected},
                                             {"matched", a.matched()},
                                             {"opened", a.opened},
                                             {"updated", a.updated},
                                             {"missing", a.missing},
                                             {"repeat_events", a.repeat_events},
                                             {"unmatched_events", a.unmatched_events},
                                             {"unreadable_events", a.unreadable_events},
                                             {"stream_reconnects", a.stream_reconnects},
                                             {"latency_us", latency_json(a.latency)}};
  }
  return boost::json::serialize(o);
}

}  // namespace vigil::loadgen
