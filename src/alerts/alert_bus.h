#pragma once
// Live fan-out of committed AlertEvents to subscribers (the SSE connections).
//
// Every subscription has a bounded queue. publish() never blocks and never waits for a subscriber:
// when a queue is full the subscription is marked overflowed and receives nothing more; its queue
// still holds an in-order prefix, so the SSE handler sends that, closes the stream, and the client
// resumes from its Last-Event-ID through AlertStore::events_after.
//
// `notify` is edge-triggered: it is called (outside every lock, on the publishing thread) when a
// queue goes from empty to non-empty or when the subscription overflows. The subscriber must then
// drain() everything. notify must not block and must not call back into the publisher (post to an
// executor instead). It may run just after the subscriber dropped its Subscription (the publisher
// holds a reference while calling it), so it must own what it touches (capture a weak_ptr to the
// connection, not a reference to a stack object).
//
// Gap-free resume: subscribe first, then read events_after(last_seen) from the store, then drain,
// skipping events with event_id <= the last one sent.
//
// Metrics: constructed with a registry, the bus reports vigil_alert_stream_subscribers (a gauge
// read at scrape time; left out once the bus and its subscriptions are all gone). One bus per registry: the
// gauge can be registered once, so a second bus on the same registry throws std::invalid_argument.
//
// Thread safety: AlertBus and Subscription are safe to use from any thread. A Subscription may
// outlive its AlertBus; it unsubscribes itself on destruction.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "alerts/alert.h"
#include "observability/metrics.h"

namespace vigil::alerts {

class AlertBus;

class Subscription {
 public:
  struct Core;  // registry shared by the bus and its subscriptions
  Subscription(std::shared_ptr<Core> core, std::size_t max_queue, std::function<void()> notify);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Moves every queued event (oldest first) to the end of `out`.
  void drain(std::vector<AlertEvent>& out);
  // True once an event was dropped because the queue was full; stays true.
  [[nodiscard]] bool overflowed() const;

 private:
  friend class AlertBus;
  // Returns true when notify should be called.
  bool offer(const AlertEvent& event);

  const std::shared_ptr<Core> core_;
  const std::size_t max_queue_;
  const std::function<void()> notify_;

  mutable std::mutex mu_;
  std::vector<AlertEvent> queue_;  // guarded by mu_
  bool overflowed_ = false;        // guarded by mu_
};

class AlertBus {
 public:
  // `metrics` (may be null) must outlive the bus.
  explicit AlertBus(observability::MetricsRegistry* metrics = nullptr);
  ~AlertBus();
  AlertBus(const AlertBus&) = delete;
  AlertBus& operator=(const AlertBus&) = delete;

  // max_queue is clamped to at least 1.
  std::shared_ptr<Subscription> subscribe(std::size_t max_queue, std::function<void()> notify);
  // Offers each event, in order, to every subscription.
  void publish(const std::vector<AlertEvent>& events);
  [[nodiscard]] std::size_t subscriber_count() const;

 private:
  std::shared_ptr<Subscription::Core> core_;
};

}  // namespace vigil::alerts
