// `vigil demo`: a fresh node on the demo trial, on a compressed clock, driven over real HTTP by the
// simulator (src/sim), ending with a summary whose "acknowledged" and "stored" must agree.
#include <fmt/format.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <thread>

#include "app/commands.h"
#include "app/credentials.h"
#include "app/node.h"
#include "auth/api_key.h"
#include "store/entities.h"
#include "config/config.h"
#include "loadgen/cli.h"
#include "observability/logging.h"
#include "sim/simulator.h"

namespace vigil::app {
namespace {

struct DemoOptions {
  double rate = 2000;
  double speed = 60;
  std::string duration = "0";
  std::string host = "127.0.0.1";
  unsigned port = 8080;
  std::filesystem::path data_root = "var/demo";
  std::filesystem::path trial = "examples/trials/demo.yaml";
  std::uint64_t seed = 1;
  unsigned connections = 4;
  std::size_t batch = 100;
  unsigned workers = 2;
};

std::filesystem::path fresh_folder(const std::filesystem::path& root) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  auto dir = root / stamp;
  for (int n = 2; std::filesystem::exists(dir); ++n) dir = root / fmt::format("{}-{}", stamp, n);
  return dir;
}

int demo(const DemoOptions& o) {
  std::chrono::nanoseconds duration{};
  if (!loadgen::parse_duration(o.duration, duration)) {
    std::fprintf(stderr, "vigil: --duration '%s' is not a duration such as 90s or 5m\n", o.duration.c_str());
    return 2;
  }
  config::Config config;
  config.server.host = o.host;
  config.server.port = static_cast<std::uint16_t>(o.port);
  config.server.shutdown_grace = std::chrono::seconds(5);
  config.storage.data_dir = fresh_folder(o.data_root);
  config.trial.protocol_file = o.trial;
  config.pipeline.workers = o.workers;
  // Simulated time runs `speed` times faster: scan for silent patients every simulated 10 minutes.
  config.pipeline.missing_data_scan = std::chrono::minutes(10);
  // A fresh secret for this run only; tokens are checked against real time, not the demo clock.
  config.auth.hs256_secret_file = config.storage.data_dir / "jwt-hs256.key";
  config.auth.create_secret = true;
  config.auth.token_ttl = std::chrono::hours(12);
  observability::configure_logging("warn", "text");

  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  std::atomic<bool> stop{false};
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop = true;
  });
  std::thread signal_thread([&] { signals_context.run(); });
  const auto finish = [&](int code) {
    signals.cancel();
    signal_thread.join();
    return code;
  };

  const ScaledClock clock(SystemClock{}.now(), o.speed);
  try {
    Node node(config, clock);
    node.start();
    const auto base = fmt::format("http://{}:{}", o.host, node.port());
    const auto& registry = node.registry();
    std::size_t enrolled = 0;
    registry.for_each_patient([&](const registry::Patient& p) {
      enrolled += p.status == registry::PatientStatus::enrolled ? 1 : 0;
    });
    const auto trials = registry.trials();
    // One wearable per enrolled patient, registered like an operator would (the key is shown once
    // and only its hash is stored); the serials match the simulator's device ids.
    std::unordered_map<std::string, std::string> device_keys;  // patient id -> vk_...
    std::size_t device_no = 0;
    registry.for_each_patient([&](const registry::Patient& p) {
      if (p.status != registry::PatientStatus::enrolled) return;
      const auto key = auth::generate_api_key();
      store::Device d;
      d.serial = fmt::format("wear-{:05}", ++device_no);
      d.type = "wearable";
      d.patient_id = p.id;
      d.api_key_hash = auth::hash_api_key(key);
      node.store().create_device(d, store::ChangeContext{"vigil-demo", "demo wearable"});
      device_keys.emplace(p.id, key);
    });
    const SystemClock wall;
    const auto admin_token = make_signer(config.auth).sign(make_claims(config.auth, wall, "vigil-demo", "admin"));
    std::printf("vigil demo: listening on %s\n", base.c_str());
    std::printf("  trial     %s: %zu sites, %zu patients enrolled (%s)\n",
                trials.empty() ? "?" : trials.front().id.c_str(),
                trials.empty() ? 0 : registry.sites(trials.front().id).size(), enrolled, o.trial.c_str());
    std::printf("  data      %s (fresh)\n", config.storage.data_dir.c_str());
    std::printf("  clock     1 real second = %.0f simulated seconds\n", o.speed);
    std::printf("  devices   %zu wearables registered, one API key each\n", device_keys.size());
    std::printf("  token     export VIGIL_TOKEN=%s\n", admin_token.c_str());
    std::printf("            (an admin bearer token for this run; it expires in 12 h)\n");
    std::printf("  alerts    curl -N -H \"Authorization: Bearer $VIGIL_TOKEN\" %s/v1/alerts/stream\n", base.c_str());
    std::printf("            curl -H \"Authorization: Bearer $VIGIL_TOKEN\" '%s/v1/alerts?min_severity=high'\n",
                base.c_str());
    std::printf("  %s\n\n", duration.count() > 0 ? fmt::format("running for {}", o.duration).c_str()
                                                 : "Ctrl-C ends the run and prints the summary");
    std::fflush(stdout);

    sim::SimOptions sim_options;
    sim_options.url = base;
    sim_options.rate = o.rate;
    sim_options.duration = std::chrono::duration_cast<std::chrono::milliseconds>(duration);
    sim_options.seed = o.seed;
    sim_options.connections = o.connections;
    sim_options.batch_size = o.batch;
    sim_options.device_credential = [&device_keys](std::string_view patient) {
      const auto it = device_keys.find(std::string(patient));
      return it == device_keys.end() ? sim::Header{} : sim::Header{"X-API-Key", it->second};
    };
    sim_options.staff_headers = {{"Authorization", "Bearer " + admin_token}};
    sim::SimHooks hooks;
    hooks.stop_requested = [&] { return stop.load(); };
    hooks.probe = [&node] {
      const auto last = node.intake_log().last_seq();
      const auto position = node.processor().stats().position;
      return sim::SimProbe{last - std::min(last, position), last};
    };
    const auto summary = sim::run(sim_options, registry, clock, hooks);
    node.stop();
    std::printf("\n%s", sim::format_summary(summary).c_str());
    if (!summary.error.empty()) {
      std::fprintf(stderr, "vigil: demo could not run: %s\n", summary.error.c_str());
      return finish(1);
    }
    if (!summary.consistent()) {
      std::fprintf(stderr, "vigil: acknowledged and stored records differ: this is a durability bug\n");
      return finish(1);
    }
    return finish(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigil: %s\n", e.what());
    if (o.port != 0 && std::string_view(e.what()).find("cannot listen") != std::string_view::npos) {
      std::fprintf(stderr, "vigil: try another port with --port, or --port 0 for any free one\n");
    }
    return finish(1);
  }
}

}  // namespace

void register_demo_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DemoOptions>();
  auto* cmd =
      app.add_subcommand("demo", "Run the demo trial: a fresh server driven by the built-in simulator");
  cmd->add_option("--rate", options->rate, "Observations per second, all patients together")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--speed", options->speed, "Simulated seconds per real second")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--duration", options->duration, "Real time to run (e.g. 60s, 5m); 0 runs until Ctrl-C")
      ->capture_default_str();
  cmd->add_option("--host", options->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", options->port, "Port to listen on; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--data-root", options->data_root, "A fresh data folder is created under this one")
      ->capture_default_str();
  cmd->add_option("--trial", options->trial, "Protocol file of the trial")
      ->check(CLI::ExistingFile)
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed of the simulated trial (episodes, gaps, physiology)")
      ->capture_default_str();
  cmd->add_option("--connections", options->connections, "Keep-alive connections the simulator posts on")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--batch", options->batch, "Observations per request")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--workers", options->workers, "Rule-evaluation workers")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = demo(*options); });
}

}  // namespace vigil::app
