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
server: {listen: "0.0.0.0:0", io_threads: 3, max_body_bytes: 2048, read_timeout: 5s, idle_timeout: 1m, shutdown_grace: 250ms}
storage: {data_dir: /tmp/x, blocking_threads: 4}
logging: {level: debug, format: text}
intake: {max_batch: 10, queue_capacity: 100, max_group_items: 50, retry_after: 2s}
pipeline: {workers: 4, batch: 100, worker_queue: 10, missing_data_scan: 1s}
trial: {protocol_file: t.yaml}
)",
                             "vigil.yaml");
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 0);
  EXPECT_EQ(c.server.io_threads, 3u);
  EXPECT_EQ(c.server.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.server.idle_timeout, std::chrono::minutes(1));
  EXPECT_EQ(c.server.shutdown_grace, std::chrono::milliseconds(250));
  EXPECT_EQ(c.storage.data_dir, "/tmp/x");
  EXPECT_EQ(c.logging.format, "text");
  EXPECT_EQ(c.intake.retry_after, std::chrono::seconds(2));
  EXPECT_EQ(c.pipeline.workers, 4u);
  EXPECT_EQ(c.trial.protocol_file, "t.yaml");
}

TEST(Config, UnknownKeyNamesFileLineAndKey) {
  EXPECT_EQ(error_of("server:\n  listen: 127.0.0.1:1\n  max_body: 5\n"),
            "vigil.yaml:3:3: unknown key 'server.max_body' (known: idle_timeout, io_threads, listen, "
            "max_body_bytes, read_timeout, shutdown_grace)");
  EXPECT_THAT(error_of("servr: {}\n"), HasSubstr("vigil.yaml:1:1: unknown key 'servr'"));
}

TEST(Config, BadValuesAreRejectedWithAReason) {
  EXPECT_THAT(error_of("server:\n  io_threads: -1\n"),
              HasSubstr("vigil.yaml:2:15: 'server.io_threads' must be between 1 and 256, got -1"));
  EXPECT_THAT(error_of("server: {io_threads: many}"), HasSubstr("'server.io_threads' must be an integer"));
  EXPECT_THAT(error_of("server: {listen: nohost}"), HasSubstr("'server.listen' must be HOST:PORT"));
  EXPECT_THAT(error_of("server: {listen: 'h:70000'}"), HasSubstr("port must be 0-65535"));
  EXPECT_THAT(error_of("server: {read_timeout: soon}"), HasSubstr("must be a duration"));
  EXPECT_THAT(error_of("server: {read_timeout: -5s}"), HasSubstr("must be a duration"));
  EXPECT_THAT(error_of("logging: {level: loud}"), HasSubstr("'logging.level' must be one of"));
  EXPECT_THAT(error_of("storage: {data_dir: ''}"), HasSubstr("must not be empty"));
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
  EXPECT_EQ(shipped.storage.data_dir, defaults.storage.data_dir);
  EXPECT_EQ(shipped.intake.queue_capacity, defaults.intake.queue_capacity);
  EXPECT_EQ(shipped.intake.max_group_items, defaults.intake.max_group_items);
  EXPECT_EQ(shipped.pipeline.workers, defaults.pipeline.workers);
  EXPECT_EQ(shipped.pipeline.batch, defaults.pipeline.batch);
  EXPECT_EQ(shipped.pipeline.missing_data_scan, defaults.pipeline.missing_data_scan);
  EXPECT_EQ(shipped.trial.protocol_file, defaults.trial.protocol_file);
}

}  // namespace
}  // namespace vigil::config
