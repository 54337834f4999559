#include "config/config.h"

#include "config/reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>

namespace vigil::config {
namespace {

using detail::kMaxDuration;
using detail::Reader;
using std::chrono::milliseconds;

void read_server(const Reader& r, const YAML::Node& node, ServerConfig& c) {
  r.section(node, "server",
            {"listen", "io_threads", "max_body_bytes", "read_timeout", "idle_timeout", "shutdown_grace",
             "latency_slice_us"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "listen") {
                const auto text = r.string(v, "server.listen");
                const auto colon = text.rfind(':');
                if (colon == std::string::npos || colon == 0) r.fail(v, "'server.listen' must be HOST:PORT");
                c.host = text.substr(0, colon);
                if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']') {
                  c.host = c.host.substr(1, c.host.size() - 2);
                }
                const auto port_text = text.substr(colon + 1);
                char* end = nullptr;
                const long port = std::strtol(port_text.c_str(), &end, 10);
                if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
                  r.fail(v, fmt::format("'server.listen' port must be 0-65535, got '{}'", port_text));
                }
                c.port = static_cast<std::uint16_t>(port);
              } else if (k == "io_threads") {
                c.io_threads = r.integer<unsigned>(v, "server.io_threads", 1, 256);
              } else if (k == "max_body_bytes") {
                c.max_body_bytes =
                    r.integer<std::size_t>(v, "server.max_body_bytes", 1024, std::size_t{64} * 1024 * 1024);
              } else if (k == "read_timeout") {
                c.read_timeout = r.duration(v, "server.read_timeout", milliseconds(10), kMaxDuration);
              } else if (k == "idle_timeout") {
                c.idle_timeout = r.duration(v, "server.idle_timeout", milliseconds(10), kMaxDuration);
              } else if (k == "shutdown_grace") {
                c.shutdown_grace = r.duration(v, "server.shutdown_grace", milliseconds(0), kMaxDuration);
              } else if (k == "latency_slice_us") {
                c.latency_slice_us = r.integer<unsigned>(v, "server.latency_slice_us", 0, 100'000);
                // The kernel's range (it would clamp 1-99 to 100 silently): say so instead.
                if (c.latency_slice_us != 0 && c.latency_slice_us < 100) {
                  r.fail(v, fmt::format("'server.latency_slice_us' must be 0 (the kernel's default) or "
                                        "100-100000, got {}",
                                        c.latency_slice_us));
                }
              }
            });
}

void read_storage(const Reader& r, const YAML::Node& node, StorageConfig& c) {
  r.section(node, "storage", {"data_dir", "blocking_threads", "log_engine", "dedupe_window", "dedupe_max_ids"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "data_dir") {
                const auto dir = r.string(v, "storage.data_dir");
                if (dir.empty()) r.fail(v, "'storage.data_dir' must not be empty");
                c.data_dir = dir;
              } else if (k == "blocking_threads") {
                c.blocking_threads = r.integer<unsigned>(v, "storage.blocking_threads", 1, 256);
              } else if (k == "log_engine") {
                c.log_engine = r.string(v, "storage.log_engine");
                if (c.log_engine != "segment" && c.log_engine != "sqlite") {
                  r.fail(v, "'storage.log_engine' must be one of segment, sqlite");
                }
              } else if (k == "dedupe_window") {
                c.dedupe_window = r.duration(v, "storage.dedupe_window", std::chrono::seconds(1), std::chrono::hours(24 * 7));
              } else if (k == "dedupe_max_ids") {
                c.dedupe_max_ids = r.integer<std::size_t>(v, "storage.dedupe_max_ids", 1000, 100'000'000);
              }
            });
}

void read_logging(const Reader& r, const YAML::Node& node, LoggingConfig& c) {
  r.section(node, "logging", {"level", "format"}, [&](const std::string& k, const YAML::Node& v) {
    if (k == "level") {
      c.level = r.string(v, "logging.level");
      static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
      if (!levels.contains(c.level)) {
        r.fail(v, fmt::format("'logging.level' must be one of {}", fmt::join(levels, ", ")));
      }
    } else if (k == "format") {
      c.format = r.string(v, "logging.format");
      if (c.format != "json" && c.format != "text") r.fail(v, "'logging.format' must be json or text");
    }
  });
}

void read_intake(const Reader& r, const YAML::Node& node, IntakeConfig& c) {
  r.section(node, "intake", {"max_batch", "queue_capacity", "max_group_items", "retry_after"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "max_batch") {
                c.max_batch = r.integer<std::size_t>(v, "intake.max_batch", 1, 100'000);
              } else if (k == "queue_capacity") {
                c.queue_capacity = r.integer<std::size_t>(v, "intake.queue_capacity", 1, 10'000'000);
              } else if (k == "max_group_items") {
                c.max_group_items = r.integer<std::size_t>(v, "intake.max_group_items", 1, 1'000'000);
              } else if (k == "retry_after") {
                c.retry_after = std::chrono::duration_cast<std::chrono::seconds>(
                    r.duration(v, "intake.retry_after", std::chrono::seconds(1), std::chrono::hours(1)));
              }
            });
}

void read_pipeline(const Reader& r, const YAML::Node& node, PipelineConfig& c) {
  r.section(node, "pipeline",
            {"workers", "batch", "worker_queue", "missing_data_scan", "position_commit_records",
             "commit_linger"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "workers") {
                c.workers = r.integer<unsigned>(v, "pipeline.workers", 1, 256);
              } else if (k == "batch") {
                c.batch = r.integer<std::size_t>(v, "pipeline.batch", 1, 1'000'000);
              } else if (k == "worker_queue") {
                c.worker_queue = r.integer<std::size_t>(v, "pipeline.worker_queue", 1, 10'000'000);
              } else if (k == "missing_data_scan") {
                c.missing_data_scan =
                    r.duration(v, "pipeline.missing_data_scan", milliseconds(100), std::chrono::hours(24));
              } else if (k == "position_commit_records") {
                c.position_commit_records =
                    r.integer<std::uint64_t>(v, "pipeline.position_commit_records", 1, 1'000'000);
              } else if (k == "commit_linger") {
                c.commit_linger =
                    r.duration(v, "pipeline.commit_linger", milliseconds(0), milliseconds(1000));
              }
            });
}

void read_trial(const Reader& r, const YAML::Node& node, TrialConfig& c) {
  r.section(node, "trial", {"protocol_file"}, [&](const std::string& k, const YAML::Node& v) {
    if (k == "protocol_file") {
      const auto file = r.string(v, "trial.protocol_file");
      if (file.empty()) r.fail(v, "'trial.protocol_file' must not be empty");
      c.protocol_file = file;
    }
  });
}

Config parse(const YAML::Node& root, const Reader& r) {
  Config c;
  if (!root || root.IsNull()) return c;  // an empty file means every default
  r.section(root, "",
            {"server", "storage", "logging", "intake", "pipeline", "trial", "limits", "rate_limits", "shedding",
             "deadlines", "breakers", "auth", "registry", "tracing"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "limits") detail::read_limits(r, v, c.limits);
              if (k == "rate_limits") detail::read_rate_limits(r, v, c.rate_limits);
              if (k == "shedding") detail::read_shedding(r, v, c.shedding);
              if (k == "deadlines") detail::read_deadlines(r, v, c.deadlines);
              if (k == "breakers") detail::read_breakers(r, v, c.breakers);
              if (k == "auth") detail::read_auth(r, v, c.auth);
              if (k == "registry") detail::read_registry(r, v, c.registry);
              if (k == "tracing") detail::read_tracing(r, v, c.tracing);
              if (k == "server") read_server(r, v, c.server);
              if (k == "storage") read_storage(r, v, c.storage);
              if (k == "logging") read_logging(r, v, c.logging);
              if (k == "intake") read_intake(r, v, c.intake);
              if (k == "pipeline") read_pipeline(r, v, c.pipeline);
              if (k == "trial") read_trial(r, v, c.trial);
            });
  // Cross-key rules: a batch or group larger than the queue could never be accepted (endless 503s).
  const auto& in = c.intake;
  if (in.max_group_items > in.queue_capacity) {
    r.fail(root["intake"], fmt::format("'intake.max_group_items' ({}) must not exceed 'intake.queue_capacity' ({})",
                                       in.max_group_items, in.queue_capacity));
  }
  if (in.max_batch > in.queue_capacity) {
    r.fail(root["intake"], fmt::format("'intake.max_batch' ({}) must not exceed 'intake.queue_capacity' ({})",
                                       in.max_batch, in.queue_capacity));
  }
  return c;
}

Config parse_text(const std::string& yaml, const std::string& origin) {
  const Reader r(origin);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  try {
    return parse(root, r);
  } catch (const YAML::Exception& e) {  // a bad conversion deep inside yaml-cpp
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

}  // namespace

bool parse_duration(const std::string& text, milliseconds& out) {
  static const std::map<std::string, long long> units{
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  std::size_t i = 0;
  long long n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (n > 1'000'000'000'000LL) return false;
    n = n * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  const auto unit = units.find(text.substr(i));
  if (unit == units.end()) return false;
  out = milliseconds(n * unit->second);
  return true;
}

Config load_string(const std::string& yaml, const std::string& origin) {
  return parse_text(yaml, origin);
}

Config load_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::error_code ec;
  if (!in || !std::filesystem::is_regular_file(file, ec)) {
    throw ConfigError(
        fmt::format("{}: cannot read configuration file (missing, unreadable or not a file)", file.string()));
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_text(text, file.string());
}

}  // namespace vigil::config
