#include "loadgen/cli.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "loadgen/client.h"

namespace vigil::loadgen {
namespace {

struct CommandOptions {
  LoadOptions load;
  std::string scenario = "single";
  std::string mode = "closed";
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string timeout = "10s";
  std::vector<std::string> headers;
  std::vector<std::string> stream_headers;
  std::string credentials;
  std::string alert_wait = "5s";
  bool json = false;
  const CLI::Option* mode_option = nullptr;  // owned by the App, which outlives the callback
};

std::vector<Header> parse_headers(const std::vector<std::string>& texts, const std::string& option) {
  std::vector<Header> out;
  for (const std::string& text : texts) {
    try {
      out.push_back(parse_header(text));
    } catch (const LoadgenError& e) {
      throw CLI::ValidationError(option, e.what());
    }
  }
  return out;
}

void run_command(const CommandOptions& c) {
  LoadOptions options = c.load;
  auto scenario = parse_scenario(c.scenario);
  if (!scenario) {
    throw CLI::ValidationError("--scenario",
                               "must be single, batch100, epro, mixed, overload or alert-latency");
  }
  options.scenario = *scenario;
  options.mode = c.mode == "open" ? Mode::open : Mode::closed;
  if (options.scenario == Scenario::alert_latency) {
    if (c.mode_option != nullptr && c.mode_option->count() > 0 && c.mode == "closed") {
      throw CLI::ValidationError("--mode", "alert-latency is an open-loop scenario");
    }
    options.mode = Mode::open;
  }
  if (!parse_duration(c.duration, options.duration)) throw CLI::ValidationError("--duration", "bad duration");
  if (!parse_duration(c.warmup, options.warmup)) throw CLI::ValidationError("--warmup", "bad duration");
  if (!parse_duration(c.timeout, options.timeout)) throw CLI::ValidationError("--timeout", "bad duration");
  if (!parse_duration(c.alert_wait, options.alert_wait))
    throw CLI::ValidationError("--alert-wait", "bad duration");
  options.headers = parse_headers(c.headers, "--header");
  options.stream_headers = parse_headers(c.stream_headers, "--stream-header");
  if (!c.credentials.empty()) {
    try {
      options.credentials = load_credentials(c.credentials);
    } catch (const LoadgenError& e) {
      throw CLI::ValidationError("--credentials", e.what());
    }
  }
  try {
    const Report report = run_load(options);
    if (c.json) {
      std::fputs(format_text(report).c_str(), stderr);
      std::puts(format_json(report).c_str());
    } else {
      std::fputs(format_text(report).c_str(), stdout);
    }
    std::fflush(stdout);
  } catch (const LoadgenError& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

bool parse_duration(const std::string& text, std::chrono::nanoseconds& out) {
  double number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || rest == begin || !(number >= 0) || !std::isfinite(number)) return false;
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1e9;
  } else if (unit == "ms") {
    scale = 1e6;
  } else if (unit == "us") {
    scale = 1e3;
  } else if (unit == "m") {
    scale = 60e9;
  } else {
    return false;
  }
  out = std::chrono::nanoseconds(std::llround(number * scale));
  return true;
}

void register_command(CLI::App& app) {
  auto c = std::make_shared<CommandOptions>();
  CLI::App* sub = app.add_subcommand("loadgen", "HTTP load generator for Vigil's intake API (benchmarks)");
  sub->add_option("--url", c->load.url, "Target base URL (http only)")->capture_default_str();
  sub->add_option("--scenario", c->scenario,
                  "single | batch100 | epro | mixed (90% single, 10% GET /v1/alerts) | alert-latency "
                  "(open loop: heart-rate readings, --alert-fraction of them alerting, ingest-to-alert "
                  "latency measured on GET /v1/alerts/stream); 'overload' is an alias of single, meant "
                  "with --mode open and a high --rate")
      ->check(CLI::IsMember({"single", "batch100", "epro", "mixed", "overload", "alert-latency"}))
      ->transform([](std::string s) { return s == "overload" ? std::string("single") : s; })
      ->capture_default_str();
  c->mode_option = sub->add_option("--mode", c->mode,
                                   "open (constant rate, coordinated-omission corrected) | closed (max); "
                                   "alert-latency is always open")
                       ->check(CLI::IsMember({"open", "closed"}))
                       ->capture_default_str();
  sub->add_option("--rate", c->load.rate, "Open loop: aggregate requests per second")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--connections,-c", c->load.connections, "Keep-alive connections")
      ->check(CLI::Range(1U, 100000U))
      ->capture_default_str();
  sub->add_option("--threads,-t", c->load.threads, "Client threads")
      ->check(CLI::Range(1U, 256U))
      ->capture_default_str();
  sub->add_option("--duration,-d", c->duration, "Measured duration (10s, 500ms, 2m)")->capture_default_str();
  sub->add_option("--warmup", c->warmup, "Warm-up before measuring")->capture_default_str();
  sub->add_option("--timeout", c->timeout, "Per-request timeout")->capture_default_str();
  sub->add_option("--max-requests", c->load.max_requests, "Stop after sending this many (0: no limit)")
      ->capture_default_str();
  sub->add_option("--patient-prefix", c->load.patients.prefix, "Patient id prefix (PREFIX-S01-0001)")
      ->capture_default_str();
  sub->add_option("--sites", c->load.patients.sites, "Sites S01..SNN")
      ->check(CLI::Range(1U, 9999U))
      ->capture_default_str();
  sub->add_option("--patients-per-site", c->load.patients.patients_per_site, "Patients per site")
      ->check(CLI::Range(1U, 10000000U))
      ->capture_default_str();
  sub->add_option("--token", c->load.bearer_token, "Bearer token for the Authorization header");
  sub->add_option("--header,-H", c->headers,
                  "Static header on every request, \"Name: value\" (repeatable), e.g. a staff bearer token "
                  "for reads; with --credentials, POSTs carry the line's credential instead of a static "
                  "Authorization/X-API-Key");
  sub->add_option("--credentials", c->credentials,
                  "File of '<patient_id> <credential>' lines, credential 'vk_...' (X-API-Key) or "
                  "'Bearer <jwt>'; connection i uses line i mod N and posts only for that patient")
      ->check(CLI::ExistingFile);
  sub->add_option(
         "--alert-fraction", c->load.alert_fraction,
         "alert-latency: share of readings that must alert (heart rate 140-170 /min), one per patient")
      ->check(CLI::Range(0.000001, 1.0))
      ->capture_default_str();
  sub->add_option("--alert-skip", c->load.alert_skip,
                  "alert-latency: leave out the first N patients (of --credentials, else of the generated "
                  "set), for runs against a server that still has earlier runs' alerts open")
      ->capture_default_str();
  sub->add_option("--stream-header", c->stream_headers,
                  "alert-latency: header for GET /v1/alerts/stream, \"Name: value\" (repeatable; a staff "
                  "token); default: the --header and --token headers");
  sub->add_option("--alert-wait", c->alert_wait,
                  "alert-latency: how long to wait for late alerts after the run")
      ->capture_default_str();
  sub->add_option("--seed", c->load.seed, "Random seed for bodies (0: random per run)")
      ->capture_default_str();
  sub->add_flag("--json", c->json, "Print one JSON line on stdout (the text report goes to stderr)");
  sub->callback([c] { run_command(*c); });
}

}  // namespace vigil::loadgen
