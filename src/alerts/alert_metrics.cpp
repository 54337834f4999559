#include "alerts/alert_metrics.h"

namespace vigil::alerts {
namespace {

observability::Family<observability::Counter>& changes(observability::MetricsRegistry& registry) {
  return registry.counter("vigil_alert_changes_total",
                          "Committed changes to existing alerts (update, escalate, acknowledge, resolve)",
                          {"action"});
}

}  // namespace

AlertMetrics::AlertMetrics(observability::MetricsRegistry& registry)
    : opened_family_(registry.counter("vigil_alerts_opened_total", "Alerts opened, by rule and severity",
                                      {"rule", "severity"})),
      updated_(changes(registry).with({"update"})),
      escalated_(changes(registry).with({"escalate"})),
      acknowledged_(changes(registry).with({"acknowledge"})),
      resolved_(changes(registry).with({"resolve"})) {}

observability::Counter& AlertMetrics::opened(const Alert& alert) {
  auto key = std::make_pair(alert.rule_id, alert.severity);
  auto it = opened_.find(key);
  if (it == opened_.end()) {
    auto& child = opened_family_.with({alert.rule_id, domain::to_string(alert.severity)});
    it = opened_.emplace(std::move(key), &child).first;
  }
  return *it->second;
}

void AlertMetrics::count(const std::vector<AlertChange>& committed) {
  for (const auto& change : committed) {
    switch (change.kind) {
      case AlertEventKind::opened:
        opened(change.alert).inc();
        break;
      case AlertEventKind::updated:
        (change.escalated ? escalated_ : updated_).inc();
        break;
      case AlertEventKind::acknowledged:
        acknowledged_.inc();
        break;
      case AlertEventKind::resolved:
        resolved_.inc();
        break;
    }
  }
}

}  // namespace vigil::alerts
