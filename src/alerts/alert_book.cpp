#include "alerts/alert_book.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace vigil::alerts {
namespace {

// Appends the ids `ids` does not hold yet and keeps the newest `max`. Returns the ids it appended
// (the newest `max` of them), which the change's event names.
std::vector<std::string> merge_ids(std::vector<std::string>& ids, const std::vector<std::string>& incoming,
                                   std::size_t max) {
  const std::size_t before = ids.size();
  for (const auto& id : incoming) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  const std::size_t fresh = std::min(ids.size() - before, max);
  std::vector<std::string> merged(ids.end() - static_cast<std::ptrdiff_t>(fresh), ids.end());
  if (ids.size() > max) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(max));
  return merged;
}

}  // namespace

AlertBook::AlertBook(std::vector<Alert> unresolved, AlertIdGenerator ids) : ids_(ids) {
  reset(std::move(unresolved));
}

void AlertBook::reset(std::vector<Alert> unresolved) {
  by_id_.clear();
  by_key_.clear();
  for (auto& alert : unresolved) {
    if (!alert.unresolved()) continue;
    by_key_[Key(alert.patient_id, alert.rule_id)] = alert.id;
    std::string id = alert.id;
    by_id_.insert_or_assign(std::move(id), std::move(alert));
  }
}

const Alert* AlertBook::find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const Alert* AlertBook::find(std::string_view patient_id, std::string_view rule_id) const {
  auto it = by_key_.find(Key(patient_id, rule_id));
  return it == by_key_.end() ? nullptr : find(it->second);
}

std::optional<AlertChange> AlertBook::on_finding(const domain::Finding& finding, const AlertContext& context,
                                                 TimePoint now) {
  auto key = by_key_.find(Key(context.patient_id, finding.rule_id));
  if (key == by_key_.end()) return open(finding, context, now);
  return merge(by_id_.at(key->second), finding, context, now);
}

AlertChange AlertBook::open(const domain::Finding& finding, const AlertContext& context, TimePoint now) {
  Alert a;
  a.id = ids_.next();
  a.trial_id = context.trial_id;
  a.site_id = context.site_id;
  a.patient_id = context.patient_id;
  a.rule_id = finding.rule_id;
  a.severity = finding.severity;
  a.status = AlertStatus::open;
  a.opened_at = now;
  a.updated_at = now;
  a.observed_at = finding.observed_at;
  auto merged_observations = merge_ids(a.observation_ids, finding.observation_ids, kMaxObservationIds);
  auto merged_traces = merge_ids(a.trace_ids, context.trace_ids, kMaxTraceIds);
  a.reason = finding.reason;
  a.protocol_version = context.protocol_version;
  a.count = 1;

  by_key_[Key(a.patient_id, a.rule_id)] = a.id;
  auto [it, inserted] = by_id_.emplace(a.id, a);
  (void)inserted;
  return AlertChange{.kind = AlertEventKind::opened,
                     .alert = std::move(a),
                     .actor = std::string(kSystemActor),
                     .at = now,
                     .observation_ids = std::move(merged_observations),
                     .trace_ids = std::move(merged_traces)};
}

std::optional<AlertChange> AlertBook::merge(Alert& a, const domain::Finding& finding,
                                            const AlertContext& context, TimePoint now) {
  const bool rises = finding.severity > a.severity;
  const bool has_fresh =
      std::any_of(finding.observation_ids.begin(), finding.observation_ids.end(), [&](const std::string& id) {
        return std::find(a.observation_ids.begin(), a.observation_ids.end(), id) == a.observation_ids.end();
      });
  // A re-evaluation of readings already merged (a replay, or a rule re-run on the same data) is not
  // a new triggering reading; only a higher severity would still be news.
  if (!has_fresh && !finding.observation_ids.empty() && !rises) return std::nullopt;

  auto merged_observations = merge_ids(a.observation_ids, finding.observation_ids, kMaxObservationIds);
  auto merged_traces = merge_ids(a.trace_ids, context.trace_ids, kMaxTraceIds);
  if (rises) {
    a.severity = finding.severity;
    a.severity_raised_at = now;
    // An acknowledgement answered the severity it saw: an escalation is news again, so the alert
    // goes back to open (its acknowledged block stays, as the record of who saw what, and when).
    if (a.status == AlertStatus::acknowledged) a.status = AlertStatus::open;
  }
  a.reason = finding.reason;
  a.observed_at = std::max(a.observed_at, finding.observed_at);
  a.updated_at = now;
  a.count += 1;
  return AlertChange{.kind = AlertEventKind::updated,
                     .alert = without_lists(a),  // AlertChange::alert: the lists stay in the book
                     .actor = std::string(kSystemActor),
                     .at = now,
                     .escalated = rises,
                     .observation_ids = std::move(merged_observations),
                     .trace_ids = std::move(merged_traces)};
}

void AlertBook::fill_lists(std::vector<AlertChange>& changes) const {
  std::unordered_set<std::string_view> filled;
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    if (it->kind != AlertEventKind::updated || !filled.insert(it->alert.id).second) continue;
    if (const Alert* current = find(it->alert.id)) {
      it->alert.observation_ids = current->observation_ids;
      it->alert.trace_ids = current->trace_ids;
    }
  }
}

BookDecision AlertBook::acknowledge(std::string_view id, std::string_view actor, std::string_view note,
                                    TimePoint now) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return BookDecision{TransitionStatus::not_found, std::nullopt, std::nullopt};
  Alert& a = it->second;
  if (a.status != AlertStatus::open) {
    return BookDecision{TransitionStatus::invalid_transition, std::nullopt, a};
  }
  a.status = AlertStatus::acknowledged;
  a.acknowledged = StateChange{std::string(actor), now, std::string(note)};
  a.updated_at = now;
  return BookDecision{
      TransitionStatus::ok,
      AlertChange{AlertEventKind::acknowledged, a, std::string(actor), std::string(note), now}, std::nullopt};
}

BookDecision AlertBook::resolve(std::string_view id, std::string_view actor, std::string_view note,
                                TimePoint now) {
  // Every alert in the book is open or acknowledged, and both may be resolved.
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return BookDecision{TransitionStatus::not_found, std::nullopt, std::nullopt};
  Alert a = std::move(it->second);
  by_id_.erase(it);
  by_key_.erase(Key(a.patient_id, a.rule_id));
  a.status = AlertStatus::resolved;
  a.resolved = StateChange{std::string(actor), now, std::string(note)};
  a.updated_at = now;
  return BookDecision{
      TransitionStatus::ok,
      AlertChange{AlertEventKind::resolved, std::move(a), std::string(actor), std::string(note), now},
      std::nullopt};
}

}  // namespace vigil::alerts
