#include "alerts/alert_service.h"

namespace vigil::alerts {
AlertService::AlertService(const std::filesystem::path& file, observability::MetricsRegistry* metrics)
    : store_(file),
      bus_(metrics),
      book_(store_.load_unresolved()),
      metrics_(metrics != nullptr ? std::make_unique<AlertMetrics>(*metrics) : nullptr) {}

std::vector<AlertEvent> AlertService::commit_and_publish(
    const std::vector<AlertChange>& changes, std::optional<std::pair<std::string, std::uint64_t>> position,
    AlertStore::Durability durability) {
  std::vector<AlertEvent> events;
  try {
    events = store_.commit(changes, std::move(position), durability);
  } catch (...) {
    // The book already holds the decisions; put it back in line with what is stored.
    book_.reset(store_.load_unresolved());
    throw;
  }
  if (metrics_) metrics_->count(changes);
  bus_.publish(events);
  for (const auto& event : events) {
    for (const auto& observer : observers_) observer(event);
  }
  return events;
}

std::vector<AlertEvent> AlertService::apply(
    const std::vector<std::pair<AlertContext, domain::Finding>>& findings,
    std::optional<std::pair<std::string, std::uint64_t>> position, TimePoint now,
    AlertStore::Durability durability) {
  std::lock_guard lock(mu_);
  std::vector<AlertChange> changes;
  changes.reserve(findings.size());
  for (const auto& [context, finding] : findings) {
    if (auto change = book_.on_finding(finding, context, now)) changes.push_back(std::move(*change));
  }
  book_.fill_lists(changes);  // the store keeps each alert as of its last change, lists included
  return commit_and_publish(changes, std::move(position), durability);
}

TransitionResult AlertService::transition(BookDecision decision, std::string_view id) {
  switch (decision.status) {
    case TransitionStatus::not_found: {
      // The book holds only unresolved alerts: a stored one is resolved, and nothing follows resolved.
      auto stored = store_.get(id);
      if (!stored) return TransitionResult{TransitionStatus::not_found, std::nullopt, std::nullopt};
      return TransitionResult{TransitionStatus::invalid_transition, std::move(stored), std::nullopt};
    }
    case TransitionStatus::invalid_transition:
      return TransitionResult{TransitionStatus::invalid_transition, std::move(decision.current),
                              std::nullopt};
    case TransitionStatus::ok:
      break;
  }
  // The answer is the whole alert; the event carries it without its lists (alert.h, AlertEvent).
  Alert after = decision.change->alert;
  auto events =
      commit_and_publish({std::move(*decision.change)}, std::nullopt, AlertStore::Durability::fsync);
  return TransitionResult{TransitionStatus::ok, std::move(after), std::move(events.front())};
}

TransitionResult AlertService::acknowledge(std::string_view id, std::string_view actor, std::string_view note,
                                           TimePoint now) {
  std::lock_guard lock(mu_);
  return transition(book_.acknowledge(id, actor, note, now), id);
}

TransitionResult AlertService::resolve(std::string_view id, std::string_view actor, std::string_view note,
                                       TimePoint now) {
  std::lock_guard lock(mu_);
  return transition(book_.resolve(id, actor, note, now), id);
}

std::optional<Alert> AlertService::get(std::string_view id) {
  return store_.get(id);
}

AlertPage AlertService::list(const AlertFilter& filter) {
  return store_.list(filter);
}

std::vector<AlertEvent> AlertService::events_after(std::uint64_t event_id, std::size_t max) {
  return store_.events_after(event_id, max);
}

std::uint64_t AlertService::last_event_id() {
  return store_.last_event_id();
}

std::uint64_t AlertService::consumer_position(std::string_view name) {
  return store_.consumer_position(name);
}

void AlertService::on_event(std::function<void(const AlertEvent&)> observer) {
  std::lock_guard lock(mu_);
  observers_.push_back(std::move(observer));
}

}  // namespace vigil::alerts
