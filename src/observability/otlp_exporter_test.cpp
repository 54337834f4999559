#include "observability/otlp_exporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "observability/otlp_http.h"
#include "observability/otlp_json.h"
#include "observability/otlp_test_collector.h"

namespace vigil::observability {
namespace {

using testing::CollectorBehaviour;
using testing::TestCollector;
using namespace std::chrono_literals;

TraceContext ids(std::uint8_t trace, std::uint8_t span, std::uint8_t parent) {
  TraceContext c;
  c.trace_id.fill(trace);
  c.span_id.fill(span);
  c.parent_span_id.fill(parent);
  return c;
}

Span server_span() {
  Span s{ids(0xab, 0x01, 0x0f),
         "POST /v1/observations",
         SpanKind::server,
         1'700'000'000'123'456'789,
         1'700'000'000'223'456'789,
         {},
         true};
  s.attribute("http.request.method", "POST").attribute("http.response.status_code", std::int64_t{503});
  return s;
}

Span numbered(std::int64_t i) {
  Span s{ids(0x11, 0x22, 0), "process observation", SpanKind::internal, i, i + 1, {}, false};
  return s;
}

// Polls a condition that another thread makes true; fails only after a generous deadline.
template <typename Fn>
bool eventually(Fn done) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

OtlpExporterOptions options_for(const std::string& endpoint, std::size_t batch, std::size_t queue = 100) {
  OtlpExporterOptions o;
  o.endpoint = endpoint;
  o.service_name = "vigil-test";
  o.batch_size = batch;
  o.queue_size = queue;
  o.flush_interval = 1h;  // batches leave when full or at stop(), unless a test says otherwise
  o.timeout = 30s;
  o.shutdown_grace = 30s;
  return o;
}

constexpr std::string_view kExpectedJson =
    R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"vigil-test"}}]},)"
    R"("scopeSpans":[{"scope":{"name":"vigil"},"spans":[)"
    R"({"traceId":"abababababababababababababababab","spanId":"0101010101010101","parentSpanId":"0f0f0f0f0f0f0f0f",)"
    R"("name":"POST /v1/observations","kind":2,"startTimeUnixNano":"1700000000123456789",)"
    R"("endTimeUnixNano":"1700000000223456789","attributes":[)"
    R"({"key":"http.request.method","value":{"stringValue":"POST"}},)"
    R"({"key":"http.response.status_code","value":{"intValue":"503"}}],"status":{"code":2}},)"
    R"({"traceId":"11111111111111111111111111111111","spanId":"2222222222222222",)"
    R"("name":"process observation","kind":1,"startTimeUnixNano":"7","endTimeUnixNano":"8",)"
    R"("attributes":[],"status":{"code":0}}]}]}]})";

TEST(OtlpExporter, PostsOtlpJsonToTheCollector) {
  TestCollector collector;
  OtlpExporter exporter(options_for(collector.endpoint(), 2), SteadyTicker::instance());
  exporter.start();
  exporter.record(server_span());
  exporter.record(numbered(7));
  const auto got = collector.wait_for(1).at(0);
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/v1/traces");
  EXPECT_EQ(got.content_type, "application/json");
  EXPECT_EQ(got.body, kExpectedJson);
  ASSERT_TRUE(eventually([&] { return exporter.stats().exported == 2; }));
  const std::vector<Span> spans{server_span(), numbered(7)};
  EXPECT_EQ(encode_otlp_json(spans, "vigil-test"), kExpectedJson);
}

TEST(OtlpExporter, SendsFullBatchesOnOneConnectionAndFlushesTheRestOnStop) {
  TestCollector collector;
  OtlpExporter exporter(options_for(collector.endpoint(), 3), SteadyTicker::instance());
  exporter.start();
  for (int i = 0; i < 7; ++i) exporter.record(numbered(i));
  const auto full = collector.wait_for(2);
  exporter.stop();  // the seventh span is not a full batch: it leaves now
  const auto all = collector.received();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_THAT(all[0].body, ::testing::HasSubstr(R"("startTimeUnixNano":"2")"));
  EXPECT_THAT(all[1].body, ::testing::HasSubstr(R"("startTimeUnixNano":"5")"));
  EXPECT_THAT(all[2].body, ::testing::HasSubstr(R"("startTimeUnixNano":"6")"));
  EXPECT_THAT(all[2].body, ::testing::Not(::testing::HasSubstr(R"("startTimeUnixNano":"5")")));
  for (const auto& r : all) EXPECT_EQ(r.connection, 1u) << "keep-alive";
  const auto s = exporter.stats();
  EXPECT_EQ(s.recorded, 7u);
  EXPECT_EQ(s.exported, 7u);
  EXPECT_EQ(s.failed_batches, 0u);
  EXPECT_EQ(s.dropped_at_shutdown, 0u);
  exporter.record(numbered(9));  // after stop
  EXPECT_EQ(exporter.stats().dropped_at_shutdown, 1u);
}

TEST(OtlpExporter, PartialBatchLeavesAfterTheFlushInterval) {
  TestCollector collector;
  auto options = options_for(collector.endpoint(), 100);
  options.flush_interval = 10ms;
  OtlpExporter exporter(options, SteadyTicker::instance());
  exporter.start();
  exporter.record(numbered(1));
  collector.wait_for(1);
  EXPECT_TRUE(eventually([&] { return exporter.stats().exported == 1; }));
}

TEST(OtlpExporter, DropsAndCountsWhenTheQueueIsFull) {
  TestCollector collector;
  OtlpExporter exporter(options_for(collector.endpoint(), 3, 3), SteadyTicker::instance());
  for (int i = 0; i < 5; ++i) exporter.record(numbered(i));  // not started: nothing drains
  auto s = exporter.stats();
  EXPECT_EQ(s.recorded, 3u);
  EXPECT_EQ(s.dropped_queue_full, 2u);
  exporter.start();
  ASSERT_TRUE(eventually([&] { return exporter.stats().exported == 3; }));
}

TEST(OtlpExporter, ACollectorThatHangsNeverBlocksRecord) {
  TestCollector collector(CollectorBehaviour{.hold = true});
  OtlpExporter exporter(options_for(collector.endpoint(), 1, 2), SteadyTicker::instance());
  exporter.start();
  exporter.record(numbered(0));
  collector.wait_for(1);  // the exporter's thread now waits for an answer that does not come
  for (int i = 1; i <= 4; ++i) exporter.record(numbered(i));
  auto s = exporter.stats();
  EXPECT_EQ(s.recorded, 3u);
  EXPECT_EQ(s.dropped_queue_full, 2u);
  collector.release();
  ASSERT_TRUE(eventually([&] { return exporter.stats().exported == 3; }));
}

TEST(OtlpExporter, RejectedBatchesAreCountedDroppedAndWarnedOncePerInterval) {
  std::ostringstream logged;
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "otlp-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(logged)));
  TestCollector collector(CollectorBehaviour{.status = 500});
  ManualTicker ticker;
  auto options = options_for(collector.endpoint(), 1);
  options.warn_interval = 1min;
  OtlpExporter exporter(options, ticker);
  exporter.start();
  for (int i = 0; i < 3; ++i) exporter.record(numbered(i));
  ASSERT_TRUE(eventually([&] { return exporter.stats().failed_batches == 3; }));
  ticker.advance(1min);
  exporter.record(numbered(3));
  ASSERT_TRUE(eventually([&] { return exporter.stats().failed_batches == 4; }));
  exporter.stop();
  spdlog::set_default_logger(previous);
  const auto s = exporter.stats();
  EXPECT_EQ(s.exported, 0u);
  EXPECT_EQ(s.failed_spans, 4u);
  EXPECT_EQ(collector.received().size(), 4u) << "one request per batch: no retries";
  const auto text = logged.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("HTTP 500"));
  EXPECT_THAT(text,
              ::testing::HasSubstr("3 batch(es)"));  // two suppressed after the first warning, and this one
}

TEST(OtlpExporter, ACollectorThatIsDownCountsFailures) {
  std::string endpoint;
  {
    TestCollector gone;
    endpoint = gone.endpoint();
  }
  OtlpExporter exporter(options_for(endpoint, 2), SteadyTicker::instance());
  exporter.start();
  exporter.record(numbered(0));
  exporter.record(numbered(1));
  ASSERT_TRUE(eventually([&] { return exporter.stats().failed_batches == 1; }));
  exporter.record(numbered(2));
  exporter.stop();  // the odd span goes at stop() and fails too
  const auto s = exporter.stats();
  EXPECT_EQ(s.failed_batches, 2u);
  EXPECT_EQ(s.failed_spans, 3u);
  EXPECT_EQ(s.exported, 0u);
}

TEST(OtlpExporter, ShutdownFlushIsBoundedByTheGrace) {
  TestCollector collector;
  ManualTicker ticker;
  auto options = options_for(collector.endpoint(), 10);
  options.shutdown_grace = 0ms;
  OtlpExporter exporter(options, ticker);
  exporter.start();
  for (int i = 0; i < 3; ++i) exporter.record(numbered(i));
  exporter.stop();
  EXPECT_EQ(exporter.stats().dropped_at_shutdown, 3u);
  EXPECT_TRUE(collector.received().empty());
}

TEST(OtlpExporter, AConnectionClosedWhileIdleIsRetriedOnceOnAFreshOne) {
  TestCollector collector(CollectorBehaviour{.close_after_answer = true});
  OtlpExporter exporter(options_for(collector.endpoint(), 1), SteadyTicker::instance());
  exporter.start();
  exporter.record(numbered(0));
  collector.wait_for(1);
  ASSERT_TRUE(eventually([&] { return exporter.stats().exported == 1; }));
  exporter.record(numbered(1));
  ASSERT_TRUE(eventually([&] { return exporter.stats().exported == 2; }));
  EXPECT_EQ(exporter.stats().failed_batches, 0u);
  EXPECT_EQ(collector.received().back().connection, 2u);
}

TEST(OtlpEndpoint, ParsesHttpHostPortAndPath) {
  auto e = parse_http_endpoint("http://collector:4318/v1/traces");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "collector");
  EXPECT_EQ(e->port, "4318");
  EXPECT_EQ(e->target, "/v1/traces");
  EXPECT_EQ(parse_http_endpoint("http://[::1]:4318")->target, "/v1/traces");
  EXPECT_EQ(parse_http_endpoint("http://[::1]:4318")->host, "::1");
  std::string error;
  EXPECT_FALSE(parse_http_endpoint("https://c:4318/v1/traces", &error));
  EXPECT_THAT(error, ::testing::HasSubstr("only http://"));
  for (const char* bad : {"http://c/v1/traces", "http://:4318/", "http://c:0/", "http://c:70000/",
                          "http://c:43x/", "http://c:4318/v1?x=1", "http://u@c:4318/", "c:4318/v1/traces"}) {
    EXPECT_FALSE(parse_http_endpoint(bad)) << bad;
  }
  EXPECT_THROW(OtlpExporter(OtlpExporterOptions{.endpoint = "ftp://x"}, SteadyTicker::instance()),
               std::invalid_argument);
}

}  // namespace
}  // namespace vigil::observability
