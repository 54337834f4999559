#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/node.h"
#include "config/config.h"
#include "observability/logging.h"

namespace vigil::app {
namespace {

int serve(const std::string& config_file) {
  config::Config config;
  try {
    if (!config_file.empty()) config = config::load_file(config_file);
    observability::configure_logging(config.logging.level, config.logging.format);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigil: %s\n", e.what());
    return 2;
  }
  // The signal set is registered before any thread starts; Asio turns SIGINT/SIGTERM into a
  // completion on this thread whichever thread the kernel delivers them to.
  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  SystemClock clock;
  try {
    Node node(config, clock);
    node.start();
    const auto where = fmt::format("http://{}:{}", config.server.host, node.port());
    spdlog::info("listening on {}", where);
    std::printf("vigil: listening on %s (config: %s)\n", where.c_str(),
                config_file.empty() ? "embedded defaults" : config_file.c_str());
    std::fflush(stdout);
    int signal_number = 0;
    signals.async_wait([&](const boost::system::error_code&, int n) { signal_number = n; });
    signals_context.run();
    spdlog::info("signal {} received; shutting down", signal_number);
    const bool clean = node.stop();
    spdlog::info("stopped ({})", clean ? "clean" : "in-flight requests forced closed after the grace period");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigil: %s\n", e.what());
    return 1;
  }
}

}  // namespace

void register_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the Vigil server until SIGINT or SIGTERM");
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("-c,--config", *config_file,
                  "YAML configuration (see docs/operations.md); default: built-in")
      ->check(CLI::ExistingFile);
  cmd->callback([config_file, &exit_code] { exit_code = serve(*config_file); });
}

}  // namespace vigil::app
