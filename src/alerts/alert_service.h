#pragma once
// The alerts facade used by the processor and the HTTP API: dedup decisions (AlertBook), durable
// storage (AlertStore) and live fan-out (AlertBus) behind one object.
//
// Every write (apply, acknowledge, resolve) runs under one mutex: book decision -> one store commit
// -> publish to the bus -> in-process observers, so events reach subscribers and observers in
// event_id order. Reads (get, list, events_after, consumer_position) go straight to the store and
// never wait for a write.
//
// Thread safety: every method is safe to call from any thread. Writes block on SQLite (fsync): call
// them from a worker or blocking pool, never from an I/O thread.
//
// Metrics (when constructed with a registry): alerts/alert_metrics.h's counters, recorded after each
// successful commit, and the bus's vigil_alert_stream_subscribers gauge (alerts/alert_bus.h).
//
// Errors: the constructor throws std::runtime_error naming the file. A store failure during a write
// throws AlertStoreError and leaves nothing changed (the book is rebuilt from the store).
// Expected outcomes (unknown id, invalid transition) are values.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alert.h"
#include "alerts/alert_book.h"
#include "alerts/alert_bus.h"
#include "alerts/alert_metrics.h"
#include "alerts/alert_store.h"
#include "domain/finding.h"
#include "observability/metrics.h"

namespace vigil::alerts {

struct TransitionResult {
  TransitionStatus status = TransitionStatus::ok;
  // ok: the alert after the change; invalid_transition: the alert as it stands; not_found: empty.
  std::optional<Alert> alert;
  std::optional<AlertEvent> event;  // ok only

  [[nodiscard]] bool ok() const { return status == TransitionStatus::ok; }
};

class AlertService {
 public:
  // Opens (creating when needed) the SQLite file and loads the unresolved alerts. `metrics`: where
  // the service's series go; null: none. It must outlive the service, and takes one service only
  // (the subscriber gauge can be registered once: a second service throws std::invalid_argument).
  explicit AlertService(const std::filesystem::path& file, observability::MetricsRegistry* metrics = nullptr);
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  // Opens or updates one alert per finding (see AlertBook), stores every change together with the
  // consumer position (name, seq) when given, publishes, and returns the events in order.
  // `durability`: see AlertStore::Durability (replayable needs the position).
  std::vector<AlertEvent> apply(const std::vector<std::pair<AlertContext, domain::Finding>>& findings,
                                std::optional<std::pair<std::string, std::uint64_t>> position, TimePoint now,
                                AlertStore::Durability durability = AlertStore::Durability::fsync);
  // open -> acknowledged. `actor` is who did it (the API requires it non-empty); `note` may be empty.
  TransitionResult acknowledge(std::string_view id, std::string_view actor, std::string_view note,
                               TimePoint now);
  // open or acknowledged -> resolved. The next finding for the same patient and rule opens a new alert.
  TransitionResult resolve(std::string_view id, std::string_view actor, std::string_view note, TimePoint now);

  std::optional<Alert> get(std::string_view id);
  AlertPage list(const AlertFilter& filter);
  std::vector<AlertEvent> events_after(std::uint64_t event_id, std::size_t max);
  std::uint64_t last_event_id();
  std::uint64_t consumer_position(std::string_view name);
  AlertBus& bus() { return bus_; }

  // Calls `observer` for every committed event, in event_id order, on the writing thread, under the
  // write mutex: it must be quick and must not call back into this service. Register observers
  // before the first write.
  void on_event(std::function<void(const AlertEvent&)> observer);

 private:
  TransitionResult transition(BookDecision decision, std::string_view id);
  std::vector<AlertEvent> commit_and_publish(const std::vector<AlertChange>& changes,
                                             std::optional<std::pair<std::string, std::uint64_t>> position,
                                             AlertStore::Durability durability);

  AlertStore store_;  // own synchronisation
  AlertBus bus_;      // own synchronisation

  std::mutex mu_;
  AlertBook book_;                                                 // guarded by mu_
  std::vector<std::function<void(const AlertEvent&)>> observers_;  // guarded by mu_
  std::unique_ptr<AlertMetrics> metrics_;                          // guarded by mu_; null: none
};

}  // namespace vigil::alerts
