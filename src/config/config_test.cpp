#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace vigil::config {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& yaml) {
  try {
    load_string(yaml, "vigil.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EmptyDocumentKeepsDefaults) {
  const auto c = load_string("", "vigil.yaml");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.server.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(c.intake.max_batch, 1000u);
}

TEST(Config, ReadsEverySection) {
  const auto c = load_string(R"(
server: {listen: "0.0.0.0:0", io_threads: 3, max_body_bytes: 2048, read_timeout: 5s, idle_timeout: 1m, shutdown_grace: 250ms,
         latency_slice_us: 250}
storage: {data_dir: /tmp/x, blocking_threads: 4, log_engine: sqlite, dedupe_window: 2m, dedupe_max_ids: 5000}
logging: {level: debug, format: text}
intake: {max_batch: 10, queue_capacity: 100, max_group_items: 50, retry_after: 2s}
pipeline: {workers: 4, batch: 100, worker_queue: 10, missing_data_scan: 1s, position_commit_records: 7,
           commit_linger: 5ms}
trial: {protocol_file: t.yaml}
)",
                             "vigil.yaml");
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 0);
  EXPECT_EQ(c.server.io_threads, 3u);
  EXPECT_EQ(c.server.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.server.idle_timeout, std::chrono::minutes(1));
  EXPECT_EQ(c.server.shutdown_grace, std::chrono::milliseconds(250));
  EXPECT_EQ(c.server.latency_slice_us, 250u);
  EXPECT_EQ(c.storage.data_dir, "/tmp/x");
  EXPECT_EQ(c.storage.log_engine, "sqlite");
  EXPECT_EQ(c.storage.dedupe_window, std::chrono::minutes(2));
  EXPECT_EQ(c.storage.dedupe_max_ids, 5000u);
  EXPECT_EQ(c.logging.format, "text");
  EXPECT_EQ(c.intake.retry_after, std::chrono::seconds(2));
  EXPECT_EQ(c.pipeline.workers, 4u);
  EXPECT_EQ(c.pipeline.position_commit_records, 7u);
  EXPECT_EQ(c.pipeline.commit_linger, std::chrono::milliseconds(5));
  EXPECT_EQ(c.trial.protocol_file, "t.yaml");
}

TEST(Config, UnknownKeyNamesFileLineAndKey) {
  EXPECT_EQ(
      error_of("server:\n  listen: 127.0.0.1:1\n  max_body: 5\n"),
      "vigil.yaml:3:3: unknown key 'server.max_body' (known: idle_timeout, io_threads, latency_slice_us, "
      "listen, max_body_bytes, read_timeout, shutdown_grace)");
  EXPECT_THAT(error_of("servr: {}\n"), HasSubstr("vigil.yaml:1:1: unknown key 'servr'"));
}

TEST(Config, BadValuesAreRejectedWithAReason) {
  EXPECT_THAT(error_of("server:\n  io_threads: -1\n"),
              HasSubstr("vigil.yaml:2:15: 'server.io_threads' must be between 1 and 256, got -1"));
  EXPECT_THAT(error_of("server: {io_threads: many}"), HasSubstr("'server.io_threads' must be an integer"));
  EXPECT_THAT(error_of("server: {listen: nohost}"), HasSubstr("'server.listen' must be HOST:PORT"));
  EXPECT_THAT(error_of("server: {listen: 'h:70000'}"), HasSubstr("port must be 0-65535"));
  EXPECT_THAT(error_of("server: {latency_slice_us: 50}"),
              HasSubstr("'server.latency_slice_us' must be 0 (the kernel's default) or 100-100000, got 50"));
  EXPECT_THAT(error_of("server: {latency_slice_us: 100001}"),
              HasSubstr("'server.latency_slice_us' must be between 0 and 100000, got 100001"));
  EXPECT_EQ(load_string("server: {latency_slice_us: 0}", "vigil.yaml").server.latency_slice_us, 0u);
  EXPECT_THAT(error_of("server: {read_timeout: soon}"), HasSubstr("must be a duration"));
  EXPECT_THAT(error_of("server: {read_timeout: -5s}"), HasSubstr("must be a duration"));
  EXPECT_THAT(error_of("logging: {level: loud}"), HasSubstr("'logging.level' must be one of"));
  EXPECT_THAT(error_of("storage: {data_dir: ''}"), HasSubstr("must not be empty"));
  EXPECT_THAT(error_of("storage:\n  log_engine: rocksdb\n"),
              HasSubstr("vigil.yaml:2:15: 'storage.log_engine' must be one of segment, sqlite"));
  EXPECT_THAT(error_of("pipeline: {position_commit_records: 0}"),
              HasSubstr("'pipeline.position_commit_records' must be between 1 and 1000000, got 0"));
  EXPECT_THAT(error_of("storage: {dedupe_window: 0s}"), HasSubstr("'storage.dedupe_window' must be between"));
  EXPECT_THAT(error_of("storage: {dedupe_max_ids: 10}"),
              HasSubstr("'storage.dedupe_max_ids' must be between 1000 and 100000000, got 10"));
  EXPECT_THAT(error_of("intake: {max_group_items: 10, queue_capacity: 5}"),
              HasSubstr("must not exceed 'intake.queue_capacity'"));
  EXPECT_THAT(error_of("intake: {max_batch: 100, max_group_items: 10, queue_capacity: 50}"),
              HasSubstr("'intake.max_batch' (100) must not exceed 'intake.queue_capacity' (50)"));
  EXPECT_THAT(error_of("server: [1, 2]"), HasSubstr("'server' must be a mapping"));
}

TEST(Config, SyntaxErrorsCarryPosition) {
  EXPECT_THAT(error_of("server: {listen: \n  - ]"), HasSubstr("vigil.yaml:"));
}

TEST(Config, MissingFileIsOneClearLine) {
  try {
    load_file("/nonexistent/vigil.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(
        e.what(),
        "/nonexistent/vigil.yaml: cannot read configuration file (missing, unreadable or not a file)");
  }
}

TEST(Config, LoadsFileFromDisk) {
  const auto path = std::filesystem::temp_directory_path() / "vigil-config-test.yaml";
  std::ofstream(path) << "server:\n  listen: 127.0.0.1:9999\n";
  EXPECT_EQ(load_file(path).server.port, 9999);
  std::filesystem::remove(path);
}

TEST(Duration, ParsesUnits) {
  std::chrono::milliseconds d{};
  ASSERT_TRUE(parse_duration("250ms", d));
  EXPECT_EQ(d.count(), 250);
  ASSERT_TRUE(parse_duration("2d", d));
  EXPECT_EQ(d, std::chrono::hours(48));
  EXPECT_FALSE(parse_duration("", d));
  EXPECT_FALSE(parse_duration("5", d));
  EXPECT_FALSE(parse_duration("5 s", d));
  EXPECT_FALSE(parse_duration("1.5s", d));
}

}  // namespace
}  // namespace vigil::config

namespace vigil::config {
namespace {

TEST(ShippedConfig, EtcVigilYamlLoadsAndMatchesTheDefaults) {
  const Config shipped = load_file(std::string(VIGIL_SOURCE_DIR) + "/etc/vigil.yaml");
  const Config defaults;
  EXPECT_EQ(shipped.server.host, defaults.server.host);
  EXPECT_EQ(shipped.server.port, defaults.server.port);
  EXPECT_EQ(shipped.server.io_threads, defaults.server.io_threads);
  EXPECT_EQ(shipped.server.max_body_bytes, defaults.server.max_body_bytes);
  EXPECT_EQ(shipped.server.shutdown_grace, defaults.server.shutdown_grace);
  EXPECT_EQ(shipped.server.latency_slice_us, defaults.server.latency_slice_us);
  EXPECT_EQ(shipped.storage.data_dir, defaults.storage.data_dir);
  EXPECT_EQ(shipped.storage.log_engine, defaults.storage.log_engine);
  EXPECT_EQ(shipped.storage.dedupe_window, defaults.storage.dedupe_window);
  EXPECT_EQ(shipped.storage.dedupe_max_ids, defaults.storage.dedupe_max_ids);
  EXPECT_EQ(shipped.intake.queue_capacity, defaults.intake.queue_capacity);
  EXPECT_EQ(shipped.intake.max_group_items, defaults.intake.max_group_items);
  EXPECT_EQ(shipped.pipeline.workers, defaults.pipeline.workers);
  EXPECT_EQ(shipped.pipeline.batch, defaults.pipeline.batch);
  EXPECT_EQ(shipped.pipeline.missing_data_scan, defaults.pipeline.missing_data_scan);
  EXPECT_EQ(shipped.pipeline.position_commit_records, defaults.pipeline.position_commit_records);
  EXPECT_EQ(shipped.pipeline.commit_linger, defaults.pipeline.commit_linger);
  EXPECT_EQ(shipped.trial.protocol_file, defaults.trial.protocol_file);
  // The overload sections document the defaults too.
  EXPECT_EQ(shipped.limits.max_in_flight, defaults.limits.max_in_flight);
  EXPECT_EQ(shipped.rate_limits.groups.size(), defaults.rate_limits.groups.size());
  for (const auto& [name, g] : defaults.rate_limits.groups) {
    EXPECT_DOUBLE_EQ(shipped.rate_limits.groups.at(name).rate, g.rate) << name;
    EXPECT_DOUBLE_EQ(shipped.rate_limits.groups.at(name).burst, g.burst) << name;
  }
  EXPECT_DOUBLE_EQ(shipped.shedding.cpu_threshold, defaults.shedding.cpu_threshold);
  EXPECT_EQ(shipped.shedding.cpu_source, defaults.shedding.cpu_source);
  EXPECT_EQ(shipped.deadlines.groups, defaults.deadlines.groups);
  EXPECT_DOUBLE_EQ(shipped.breakers.k, defaults.breakers.k);
  EXPECT_EQ(shipped.auth.issuer, defaults.auth.issuer);
  EXPECT_EQ(shipped.auth.hs256_secret_file, defaults.auth.hs256_secret_file);
  EXPECT_EQ(shipped.auth.create_secret, defaults.auth.create_secret);
  EXPECT_EQ(shipped.auth.audience, defaults.auth.audience);
  EXPECT_EQ(shipped.registry.backend, defaults.registry.backend);
}

}  // namespace
}  // namespace vigil::config

namespace vigil::config {
namespace {

TEST(ConfigOverload, ReadsOverloadAndAuthSections) {
  const auto c = load_string(R"(
limits: {max_connections: 100, max_in_flight: 10}
rate_limits:
  max_keys: 50
  groups:
    intake: {rate: 5000, burst: 10000}
    debug: {rate: 1}
shedding: {enabled: false, cpu_threshold: 0.75, window: 2s, buckets: 20, cool_off: 500ms, read_share: 0.5, min_in_flight: 16}
deadlines: {intake: 250ms, debug: 1m}
breakers: {k: 2, window: 5s, buckets: 10, probe_interval: 100ms}
auth: {hs256_secret_file: /run/secret, issuer: me, audience: api, leeway: 5s, token_ttl: 10m}
)",
                             "vigil.yaml");
  EXPECT_EQ(c.limits.max_connections, 100u);
  EXPECT_EQ(c.limits.max_in_flight, 10u);
  EXPECT_EQ(c.rate_limits.max_keys, 50u);
  EXPECT_DOUBLE_EQ(c.rate_limits.groups.at("intake").rate, 5000);
  EXPECT_DOUBLE_EQ(c.rate_limits.groups.at("intake").burst, 10000);
  // A group without an entry of its own starts from "default" and overrides what it names.
  EXPECT_DOUBLE_EQ(c.rate_limits.groups.at("debug").rate, 1);
  EXPECT_DOUBLE_EQ(c.rate_limits.groups.at("debug").burst, c.rate_limits.groups.at("default").burst);
  EXPECT_EQ(c.deadlines.groups.at("debug"), std::chrono::minutes(1));
  EXPECT_FALSE(c.shedding.enabled);
  EXPECT_DOUBLE_EQ(c.shedding.cpu_threshold, 0.75);
  EXPECT_EQ(c.shedding.cool_off, std::chrono::milliseconds(500));
  EXPECT_EQ(c.shedding.min_in_flight, 16u);
  EXPECT_EQ(c.deadlines.groups.at("intake"), std::chrono::milliseconds(250));
  EXPECT_EQ(c.deadlines.groups.at("read"), std::chrono::seconds(10));  // untouched default
  EXPECT_DOUBLE_EQ(c.breakers.k, 2);
  EXPECT_EQ(c.breakers.probe_interval, std::chrono::milliseconds(100));
  EXPECT_EQ(c.auth.hs256_secret_file, "/run/secret");
  EXPECT_EQ(c.auth.leeway, std::chrono::seconds(5));
  EXPECT_EQ(c.auth.token_ttl, std::chrono::minutes(10));
}

TEST(ConfigOverload, BadOverloadValuesNameFileLineAndReason) {
  // A misspelt route group would otherwise configure nothing, silently.
  EXPECT_THAT(error_of("deadlines:\n  intkae: 1s\n"),
              HasSubstr("vigil.yaml:2:3: unknown route group 'intkae' in 'deadlines' (known: admin, debug, default, "
                        "health, intake, read, stream)"));
  EXPECT_THAT(error_of("rate_limits:\n  groups:\n    reads: {rate: 5}\n"),
              HasSubstr("vigil.yaml:3:5: unknown route group 'reads' in 'rate_limits.groups'"));
  // Each bucket of a sliding window spans at least a millisecond.
  EXPECT_THAT(error_of("shedding:\n  window: 100ms\n  buckets: 1000\n"),
              HasSubstr("vigil.yaml:2:3: 'shedding.window' (100 ms) divided by 'shedding.buckets' (1000) must be "
                        "at least 1 ms"));
  EXPECT_THAT(error_of("breakers: {window: 1s, buckets: 5000}\n"),
              HasSubstr("vigil.yaml:1:11: 'breakers.window' (1000 ms) divided by 'breakers.buckets' (5000)"));
  EXPECT_NO_THROW(load_string("shedding: {window: 100ms, buckets: 100}\n", "vigil.yaml"));
  EXPECT_THAT(error_of("rate_limits:\n  groups:\n    intake: {rate: -5}\n"),
              HasSubstr("vigil.yaml:3:20: 'rate_limits.groups.intake.rate' must be between"));
  EXPECT_THAT(error_of("shedding:\n  cpu_threshold: 1.5\n"),
              HasSubstr("vigil.yaml:2:18: 'shedding.cpu_threshold' must be between 0.01 and 1"));
  EXPECT_THAT(error_of("shedding:\n  cpu: 0.5\n"), HasSubstr("vigil.yaml:2:3: unknown key 'shedding.cpu'"));
  EXPECT_THAT(error_of("shedding:\n  cpu_source: cgroup\n"),
              HasSubstr("vigil.yaml:2:15: 'shedding.cpu_source' must be process or system"));
  EXPECT_EQ(load_string("shedding: {cpu_source: system}", "vigil.yaml").shedding.cpu_source, "system");
  EXPECT_THAT(error_of("limits:\n  max_in_flight: 0\n"),
              HasSubstr("vigil.yaml:2:18: 'limits.max_in_flight'"));
  EXPECT_THAT(error_of("deadlines:\n  intake: soon\n"),
              HasSubstr("vigil.yaml:2:11: 'deadlines.intake' must be a duration"));
  EXPECT_THAT(error_of("breakers:\n  k: abc\n"), HasSubstr("vigil.yaml:2:6: 'breakers.k' must be a number"));
  EXPECT_THAT(error_of("rate_limits:\n  enabled: maybe\n"),
              HasSubstr("'rate_limits.enabled' must be true or false"));
}

}  // namespace
}  // namespace vigil::config

namespace vigil::config {
namespace {

TEST(ConfigTracing, OffByDefaultWithDocumentedDefaults) {
  const auto c = load_string("", "vigil.yaml");
  EXPECT_TRUE(c.tracing.otlp_endpoint.empty());
  EXPECT_EQ(c.tracing.service_name, "vigil");
  EXPECT_EQ(c.tracing.queue_size, 2048u);
  EXPECT_EQ(c.tracing.batch_size, 256u);
  EXPECT_EQ(c.tracing.flush_interval, std::chrono::seconds(2));
  EXPECT_EQ(c.tracing.timeout, std::chrono::seconds(2));
  const Config shipped = load_file(std::string(VIGIL_SOURCE_DIR) + "/etc/vigil.yaml");
  EXPECT_EQ(shipped.tracing.otlp_endpoint, c.tracing.otlp_endpoint);
}

TEST(ConfigTracing, ReadsTheSection) {
  const auto c = load_string(R"(
tracing:
  otlp_endpoint: http://otel-collector:4318/v1/traces
  service_name: vigil-eu
  queue_size: 100
  batch_size: 10
  flush_interval: 500ms
  timeout: 1s
)",
                             "vigil.yaml");
  EXPECT_EQ(c.tracing.otlp_endpoint, "http://otel-collector:4318/v1/traces");
  EXPECT_EQ(c.tracing.service_name, "vigil-eu");
  EXPECT_EQ(c.tracing.queue_size, 100u);
  EXPECT_EQ(c.tracing.batch_size, 10u);
  EXPECT_EQ(c.tracing.flush_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(c.tracing.timeout, std::chrono::seconds(1));
  EXPECT_EQ(load_string("tracing: {otlp_endpoint: 'http://[::1]:4318'}", "vigil.yaml").tracing.otlp_endpoint,
            "http://[::1]:4318");
  EXPECT_TRUE(load_string("tracing: {otlp_endpoint: ''}", "vigil.yaml").tracing.otlp_endpoint.empty());
}

TEST(ConfigTracing, BadValuesNameFileLineAndReason) {
  EXPECT_THAT(error_of("tracing:\n  endpoint: http://c:4318\n"),
              HasSubstr("vigil.yaml:2:3: unknown key 'tracing.endpoint'"));
  EXPECT_THAT(error_of("tracing:\n  otlp_endpoint: https://c:4318/v1/traces\n"),
              HasSubstr("vigil.yaml:2:18: 'tracing.otlp_endpoint' only http:// is supported"));
  EXPECT_THAT(error_of("tracing:\n  otlp_endpoint: c:4318\n"),
              HasSubstr("vigil.yaml:2:18: 'tracing.otlp_endpoint' must be http://HOST:PORT/PATH"));
  EXPECT_THAT(error_of("tracing: {otlp_endpoint: 'http://c/v1/traces'}"),
              HasSubstr("must be http://HOST:PORT/PATH"));
  EXPECT_THAT(error_of("tracing: {otlp_endpoint: 'http://:4318/'}"),
              HasSubstr("must be http://HOST:PORT/PATH"));
  EXPECT_THAT(error_of("tracing: {otlp_endpoint: 'http://c:0/'}"), HasSubstr("port must be 1-65535"));
  EXPECT_THAT(error_of("tracing: {otlp_endpoint: 'http://c:99999/'}"), HasSubstr("port must be 1-65535"));
  EXPECT_THAT(error_of("tracing: {otlp_endpoint: 'http://c:4318/v1?x=1'}"), HasSubstr("query or fragment"));
  EXPECT_THAT(error_of("tracing: {otlp_endpoint: 'http://u:p@c:4318/'}"), HasSubstr("credentials"));
  EXPECT_THAT(error_of("tracing:\n  service_name: ''\n"),
              HasSubstr("vigil.yaml:2:17: 'tracing.service_name' must not be empty"));
  EXPECT_THAT(error_of("tracing:\n  queue_size: 0\n"),
              HasSubstr("vigil.yaml:2:15: 'tracing.queue_size' must be between 1 and"));
  EXPECT_THAT(error_of("tracing:\n  batch_size: 0\n"),
              HasSubstr("vigil.yaml:2:15: 'tracing.batch_size' must be between 1 and"));
  EXPECT_THAT(error_of("tracing:\n  flush_interval: soon\n"),
              HasSubstr("vigil.yaml:2:19: 'tracing.flush_interval' must be a duration"));
  EXPECT_THAT(error_of("tracing:\n  timeout: 0ms\n"),
              HasSubstr("vigil.yaml:2:12: 'tracing.timeout' must be between 1ms"));
  EXPECT_THAT(error_of("tracing: [a]"), HasSubstr("'tracing' must be a mapping"));
}

}  // namespace
}  // namespace vigil::config
