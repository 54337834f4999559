// The processor carries each record's trace context into the alerts it raises, and reports its
// position, lag, processing latency and record count to a metrics registry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "alerts/alert_service.h"
#include "alerts/test_support.h"
#include "log/sqlite_log.h"
#include "observability/recording_span_sink.h"
#include "pipeline/processor.h"
#include "pipeline/test_support.h"
#include "registry/memory_registry.h"

namespace vigil::pipeline {
namespace {

using namespace std::chrono_literals;
using testing::append;
using ::testing::HasSubstr;
using testing::item;
using testing::kT0;
using testing::patient_id;
using testing::wait_until;

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

class PipelineTraceMetricsTest : public ::testing::Test {
 protected:
  PipelineTraceMetricsTest() {
    log::SqliteLogOptions options;
    options.clock = &clock_;
    log_ = std::make_unique<log::SqliteLog>(dir_.file("intake.db"), options);
    alerts_ = std::make_unique<alerts::AlertService>(dir_.file("alerts.db"));
  }

  Processor& make(observability::MetricsRegistry* metrics = nullptr,
                  observability::SpanSink* spans = nullptr) {
    ProcessorOptions o;
    o.idle_wait = 5ms;
    o.retry_backoff = 5ms;
    o.metrics = metrics;
    o.spans = spans;
    o.span_clock = &span_clock_;
    processor_ = std::make_unique<Processor>(std::move(o), *log_, registry_, *alerts_, clock_);
    return *processor_;
  }

  void wait_for_position(std::uint64_t seq) {
    ASSERT_TRUE(wait_until([&] { return processor_->stats().position >= seq; }));
  }

  std::vector<alerts::Alert> alerts_of(const std::string& patient) {
    alerts::AlertFilter filter;
    filter.patient_id = patient;
    return alerts::testing::alerts_of(alerts_->list(filter));
  }

  static log::AppendItem traced(log::AppendItem item, std::string trace) {
    item.trace = std::move(trace);
    return item;
  }

  class CountingSpanClock final : public observability::SpanClock {
   public:
    [[nodiscard]] std::int64_t now_unix_nanos() const override { return ++ticks_; }
    mutable std::atomic<std::int64_t> ticks_{1'000};
  };

  testing::TempDir dir_;
  CountingSpanClock span_clock_;
  ManualClock clock_{kT0};
  registry::MemoryRegistry registry_{testing::trial()};
  testing::Readings readings_;
  std::unique_ptr<log::SqliteLog> log_;
  std::unique_ptr<alerts::AlertService> alerts_;
  std::unique_ptr<Processor> processor_;  // declared last: stopped before the stores close
};

TEST_F(PipelineTraceMetricsTest, AnAlertRaisedByATracedReadingCarriesItsTraceIdInItsJson) {
  const auto last =
      append(*log_, {traced(item(readings_.pulse(patient_id(1), 140, kT0)), kTraceparent),
                     item(readings_.pulse(patient_id(2), 140, kT0)),
                     traced(item(readings_.pulse(patient_id(3), 140, kT0)), "not-a-traceparent")});
  make().start();
  wait_for_position(last);

  // HR 140 crosses the protocol threshold and scores in NEWS2: every alert it raised has the trace.
  const auto traced_alerts = alerts_of(patient_id(1));
  ASSERT_FALSE(traced_alerts.empty());
  for (const auto& alert : traced_alerts) {
    const boost::json::object json = alerts::to_json(alert);
    EXPECT_EQ(boost::json::serialize(json.at("trace_ids")), std::string("[\"") + kTraceId + "\"]")
        << alert.rule_id;
  }
  // Untraced, or traced with something that is not a traceparent: the alert has no trace id.
  for (int p : {2, 3}) {
    const auto untraced = alerts_of(patient_id(p));
    ASSERT_EQ(untraced.size(), traced_alerts.size());
    for (const auto& alert : untraced) EXPECT_TRUE(alert.trace_ids.empty()) << alert.rule_id;
  }
}

using SpanList = observability::RecordingSpanSink;

TEST_F(PipelineTraceMetricsTest, ATracedSampledRecordBecomesOneInternalSpanChildOfTheRequest) {
  SpanList sink;
  const auto last =
      append(*log_, {item(readings_.pulse(patient_id(2), 140, kT0)),
                     traced(item(readings_.pulse(patient_id(3), 140, kT0)), "not-a-traceparent"),
                     traced(item(readings_.pulse(patient_id(4), 140, kT0)),
                            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),  // not sampled
                     traced(item(readings_.pulse(patient_id(1), 140, kT0)), kTraceparent)});
  make(nullptr, &sink).start();
  wait_for_position(last);

  const auto spans = sink.spans();
  ASSERT_EQ(spans.size(), 1u);
  const auto& span = spans[0];
  EXPECT_EQ(span.kind, observability::SpanKind::internal);
  EXPECT_EQ(span.name, "process observation");
  EXPECT_EQ(span.context.trace_id_hex(), kTraceId);
  EXPECT_EQ(span.context.parent_span_id_hex(), "00f067aa0ba902b7");  // the request's span
  EXPECT_NE(span.context.span_id_hex(), "00f067aa0ba902b7");
  EXPECT_LT(span.start_unix_nanos, span.end_unix_nanos);
  EXPECT_FALSE(span.error);
  ASSERT_EQ(span.attributes.size(), 3u);
  EXPECT_EQ(span.attributes[0].key, "vigil.log.seq");
  EXPECT_EQ(std::get<std::int64_t>(span.attributes[0].value), static_cast<std::int64_t>(last));
  EXPECT_EQ(std::get<std::string>(span.attributes[1].value), "evaluated");
  EXPECT_GT(std::get<std::int64_t>(span.attributes[2].value), 0);
  EXPECT_EQ(std::get<std::int64_t>(span.attributes[2].value),
            static_cast<std::int64_t>(alerts_of(patient_id(1)).size()));  // HR 140: one finding per alert
}

TEST_F(PipelineTraceMetricsTest, ReportsPositionLagProcessingLatencyAndRecords) {
  observability::MetricsRegistry metrics;
  append(*log_, {item(readings_.pulse(patient_id(1), 80, kT0)), item(readings_.pulse(patient_id(2), 80, kT0)),
                 item(readings_.pulse(patient_id(3), 80, kT0))});  // appended at kT0
  clock_.advance(500ms);
  const auto last = append(*log_, {item(readings_.pulse(patient_id(4), 80, kT0))});  // at kT0 + 0.5 s
  clock_.advance(1000ms);  // processing "takes" 1.5 s and 1 s: the clock stands still from here on

  Processor& processor = make(&metrics);
  EXPECT_THAT(metrics.expose(), HasSubstr("\nvigil_pipeline_lag_records 4\n"));  // nothing committed yet
  processor.start();
  wait_for_position(last);

  const std::string text = metrics.expose();
  EXPECT_THAT(text, HasSubstr("\nvigil_pipeline_position 4\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_pipeline_lag_records 0\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_pipeline_records_total 4\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_pipeline_processing_seconds_count 4\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_pipeline_processing_seconds_sum 5.5\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_pipeline_processing_seconds_bucket{le=\"0.5\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_pipeline_processing_seconds_bucket{le=\"1\"} 1\n"));

  processor_.reset();  // the lag gauge must stop reading a processor that is gone
  EXPECT_THAT(metrics.expose(), ::testing::Not(HasSubstr("vigil_pipeline_lag_records ")));
}

}  // namespace
}  // namespace vigil::pipeline
