// The alert service's series: exact counts of committed openings and changes, and the stream
// subscriber gauge.
#include "alerts/alert_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/alert_service.h"
#include "alerts/test_support.h"

namespace vigil::alerts {
namespace {

using domain::Severity;
using testing::context;
using testing::finding;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::t0;

using Findings = std::vector<std::pair<AlertContext, domain::Finding>>;

TEST(AlertMetricsTest, CountsOpenedByRuleAndSeverityAndEveryChangeByAction) {
  testing::TempDir dir;
  observability::MetricsRegistry registry;
  AlertService service(dir.file("alerts.db"), &registry);
  const Findings batch = {
      {context("P1"), finding("news2", Severity::medium, "r", {"o1"})},
      {context("P1"), finding("news2", Severity::medium, "r", {"o2"})},  // update
      {context("P1"), finding("news2", Severity::high, "r", {"o3"})},    // escalate
      {context("P1"), finding("news2", Severity::high, "r", {"o3"})},    // replay: no change
      {context("P2"), finding("news2", Severity::medium, "r", {"o4"})},
      {context("P3"), finding("hr-high", Severity::high, "r", {"o5"})},
  };
  const auto events = service.apply(batch, std::nullopt, t0());
  ASSERT_EQ(events.size(), 5u);
  ASSERT_TRUE(service.acknowledge(events[0].alert.id, "dr", "", t0()).ok());
  ASSERT_TRUE(service.resolve(events[0].alert.id, "dr", "", t0()).ok());
  ASSERT_TRUE(service.resolve(events[3].alert.id, "dr", "", t0()).ok());
  EXPECT_FALSE(service.acknowledge(events[3].alert.id, "dr", "", t0()).ok());  // refused: not counted

  const std::string text = registry.expose();
  EXPECT_THAT(text, HasSubstr("\nvigil_alerts_opened_total{rule=\"news2\",severity=\"medium\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_alerts_opened_total{rule=\"hr-high\",severity=\"high\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("vigil_alerts_opened_total{rule=\"news2\",severity=\"high\"}")));
  EXPECT_THAT(text, HasSubstr("\nvigil_alert_changes_total{action=\"update\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_alert_changes_total{action=\"escalate\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_alert_changes_total{action=\"acknowledge\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nvigil_alert_changes_total{action=\"resolve\"} 2\n"));
}

TEST(AlertMetricsTest, SubscriberGaugeFollowsTheBusAndIsLeftOutOnceItIsGone) {
  observability::MetricsRegistry registry;
  {
    AlertBus bus(&registry);
    EXPECT_THAT(registry.expose(), HasSubstr("\nvigil_alert_stream_subscribers 0\n"));
    auto a = bus.subscribe(4, {});
    auto b = bus.subscribe(4, {});
    EXPECT_THAT(registry.expose(), HasSubstr("\nvigil_alert_stream_subscribers 2\n"));
    b.reset();
    EXPECT_THAT(registry.expose(), HasSubstr("\nvigil_alert_stream_subscribers 1\n"));
  }
  EXPECT_THAT(registry.expose(), Not(HasSubstr("vigil_alert_stream_subscribers ")));
}

TEST(AlertMetricsTest, WithoutARegistryTheServiceWorksAsBefore) {
  testing::TempDir dir;
  AlertService service(dir.file("alerts.db"));
  EXPECT_EQ(service.apply({{context("P1"), finding("news2", Severity::low, "r", {"o1"})}}, std::nullopt, t0())
                .size(),
            1u);
}

}  // namespace
}  // namespace vigil::alerts
