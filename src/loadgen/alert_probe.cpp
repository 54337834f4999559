#include "loadgen/alert_probe.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace vigil::loadgen {

AlertProbe::AlertProbe(const std::vector<Credential>& credentials, PatientSpace space, std::uint64_t skip)
    : patients_(distinct_patients(credentials)),
      space_(std::move(space)),
      target_count_(patients_.empty() ? space_.size() : patients_.size()),
      next_target_(std::min(skip, target_count_)) {
  stats_.enabled = true;
  stats_.patients = target_count_ - next_target_.load();
}

std::optional<AlertTarget> AlertProbe::claim_target() {
  if (exhausted_.load(std::memory_order_relaxed)) return std::nullopt;
  const std::uint64_t i = next_target_.fetch_add(1, std::memory_order_relaxed);
  if (i >= target_count_) {
    exhausted_.store(true, std::memory_order_relaxed);
    return std::nullopt;
  }
  if (patients_.empty()) return AlertTarget{format_patient_id(space_, i), std::nullopt};
  return AlertTarget{patients_[i].patient_id, patients_[i].header()};
}

void AlertProbe::sent(std::string_view observation_id, std::int64_t scheduled_ns) {
  std::lock_guard lock(mutex_);
  ++stats_.sent;
  pending_.emplace(std::string(observation_id), scheduled_ns);
}

void AlertProbe::answered(std::string_view observation_id, bool accepted) {
  if (accepted) return;
  std::lock_guard lock(mutex_);
  ++stats_.rejected;
  // The server did not take it, so no alert will name it; an alert that already did stays counted.
  if (pending_.erase(std::string(observation_id)) > 0 && pending_.empty()) settled_.notify_all();
}

void AlertProbe::on_event(std::string_view data, std::int64_t arrival_ns) {
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(data, ec);
  const boost::json::object* event = ec ? nullptr : json.if_object();
  const boost::json::value* kind = event != nullptr ? event->if_contains("kind") : nullptr;
  // An event names the readings its change merged (docs/api.md, Alert events).
  const boost::json::value* ids = event != nullptr ? event->if_contains("observation_ids") : nullptr;
  std::lock_guard lock(mutex_);
  if (kind == nullptr || !kind->is_string() || ids == nullptr || !ids->is_array()) {
    ++stats_.unreadable_events;
    return;
  }
  const bool opened = kind->as_string() == "opened";
  if (!opened && kind->as_string() != "updated") return;
  bool matched = false;
  bool repeat = false;
  for (const boost::json::value& id : ids->as_array()) {
    if (!id.is_string()) continue;
    const std::string key(id.as_string());
    if (auto it = pending_.find(key); it != pending_.end()) {
      stats_.latency.record(std::chrono::nanoseconds(arrival_ns - it->second));
      ++(opened ? stats_.opened : stats_.updated);
      pending_.erase(it);
      matched_.insert(key);
      matched = true;
    } else if (matched_.contains(key)) {
      repeat = true;
    }
  }
  if (!matched) ++(repeat ? stats_.repeat_events : stats_.unmatched_events);
  if (matched && pending_.empty()) settled_.notify_all();
}

void AlertProbe::on_reconnect() {
  std::lock_guard lock(mutex_);
  ++stats_.stream_reconnects;
}

std::uint64_t AlertProbe::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

bool AlertProbe::wait_settled(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(mutex_);
  return settled_.wait_for(lock, timeout, [this] { return pending_.empty(); });
}

AlertLatencyStats AlertProbe::stats() const {
  std::lock_guard lock(mutex_);
  AlertLatencyStats out = stats_;
  out.missing = pending_.size();
  out.patients_exhausted = exhausted_.load(std::memory_order_relaxed);
  return out;
}

}  // namespace vigil::loadgen
