#pragma once
// The alert service's Prometheus counters: vigil_alerts_opened_total{rule,severity} and
// vigil_alert_changes_total{action} with action "update" (a finding merged into an open alert),
// "escalate" (such a merge that raised the severity), "acknowledge" and "resolve". Only committed
// changes are counted: a failed store commit counts nothing.
//
// Family::with() takes the family's mutex, so children are resolved once: the four actions at
// construction, each (rule, severity) pair the first time it opens an alert.
//
// Thread safety: count() is not thread-safe; the AlertService calls it under its write mutex. The
// registry owns the counters and must outlive this object.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alert.h"
#include "observability/metrics.h"

namespace vigil::alerts {

class AlertMetrics {
 public:
  explicit AlertMetrics(observability::MetricsRegistry& registry);

  void count(const std::vector<AlertChange>& committed);

 private:
  observability::Counter& opened(const Alert& alert);

  observability::Family<observability::Counter>& opened_family_;
  observability::Counter& updated_;
  observability::Counter& escalated_;
  observability::Counter& acknowledged_;
  observability::Counter& resolved_;
  std::map<std::pair<std::string, domain::Severity>, observability::Counter*, std::less<>> opened_;
};

}  // namespace vigil::alerts
