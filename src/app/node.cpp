#include "app/node.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "api/api.h"
#include "registry/protocol_file.h"

namespace vigil::app {
namespace {

std::filesystem::path prepare_data_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StartupError(fmt::format("cannot create data folder {}: {}", dir.string(), ec.message()));
  if (!std::filesystem::is_directory(dir, ec)) {
    throw StartupError(fmt::format("data folder {} is not a directory", dir.string()));
  }
  return dir;
}

template <typename Fn>
auto opening(std::string_view what, Fn fn) {
  try {
    return fn();
  } catch (const StartupError&) {
    throw;
  } catch (const std::exception& e) {
    throw StartupError(fmt::format("cannot open {}: {}", what, e.what()));
  }
}

}  // namespace

Node::Node(const config::Config& config, const Clock& clock) : config_(config), clock_(clock) {
  try {
    registry_ = registry::load_protocol_file(config_.trial.protocol_file);
  } catch (const std::exception& e) {
    throw StartupError(e.what());  // already "FILE:LINE:COL: reason"
  }
  const auto dir = prepare_data_dir(config_.storage.data_dir);

  log::SqliteLogOptions log_options;
  log_options.max_queued_items = config_.intake.queue_capacity;
  log_options.max_group_items = config_.intake.max_group_items;
  log_options.clock = &clock_;
  log_ = opening("the intake log",
                 [&] { return std::make_unique<log::SqliteLog>(dir / "intake.db", log_options); });
  alerts_ =
      opening("the alert store", [&] { return std::make_unique<alerts::AlertService>(dir / "alerts.db"); });

  pipeline::ProcessorOptions processor_options;
  processor_options.workers = config_.pipeline.workers;
  processor_options.batch = config_.pipeline.batch;
  processor_options.worker_queue = config_.pipeline.worker_queue;
  processor_options.missing_data_scan = config_.pipeline.missing_data_scan;
  processor_ = std::make_unique<pipeline::Processor>(processor_options, *log_, *registry_, *alerts_, clock_);

  blocking_ = std::make_unique<boost::asio::thread_pool>(config_.storage.blocking_threads);

  api::ApiOptions api_options;
  api_options.max_batch = config_.intake.max_batch;
  api_options.retry_after = config_.intake.retry_after;
  api::register_routes(
      router_,
      api::ApiDeps{
          *log_, *log_, *registry_, *alerts_, *blocking_, clock_,
          [this] {
            return api::Readiness{started_ && !stopped_, log_->last_seq(), processor_->stats().position};
          }},
      api_options);

  http::ServerOptions server_options;
  server_options.host = config_.server.host;
  server_options.port = config_.server.port;
  server_options.io_threads = config_.server.io_threads;
  server_options.max_body_bytes = config_.server.max_body_bytes;
  server_options.read_timeout = config_.server.read_timeout;
  server_options.idle_timeout = config_.server.idle_timeout;
  server_options.shutdown_grace = config_.server.shutdown_grace;
  try {
    server_ = std::make_unique<http::Server>(server_options, router_);
  } catch (const std::exception& e) {
    throw StartupError(e.what());  // "cannot listen on host:port: reason"
  }
}

Node::~Node() {
  stop();
}

void Node::start() {
  if (started_) return;
  started_ = true;
  processor_->start();
  server_->start();
}

bool Node::stop() {
  if (stopped_) return true;
  stopped_ = true;
  bool clean = true;
  if (server_) clean = server_->shutdown();
  if (processor_) processor_->stop();
  if (blocking_) blocking_->join();
  if (log_) log_->close();
  return clean;
}

}  // namespace vigil::app
