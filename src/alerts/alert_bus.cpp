#include "alerts/alert_bus.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace vigil::alerts {

struct Subscription::Core {
  std::mutex mu;
  // Raw pointer for removal by the destructor (when the weak_ptr has already expired), weak_ptr for
  // publishing (so a subscription cannot be destroyed while its notify runs).
  std::vector<std::pair<Subscription*, std::weak_ptr<Subscription>>> subscribers;  // guarded by mu
};

Subscription::Subscription(std::shared_ptr<Core> core, std::size_t max_queue, std::function<void()> notify)
    : core_(std::move(core)), max_queue_(std::max<std::size_t>(max_queue, 1)), notify_(std::move(notify)) {}

Subscription::~Subscription() {
  std::lock_guard lock(core_->mu);
  auto& subs = core_->subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [this](const auto& s) { return s.first == this; }),
             subs.end());
}

void Subscription::drain(std::vector<AlertEvent>& out) {
  std::lock_guard lock(mu_);
  std::move(queue_.begin(), queue_.end(), std::back_inserter(out));
  queue_.clear();
}

bool Subscription::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

bool Subscription::offer(const AlertEvent& event) {
  std::lock_guard lock(mu_);
  if (overflowed_) return false;
  if (queue_.size() >= max_queue_) {
    overflowed_ = true;
    return true;
  }
  queue_.push_back(event);
  return queue_.size() == 1;
}

AlertBus::AlertBus(observability::MetricsRegistry* metrics) : core_(std::make_shared<Subscription::Core>()) {
  if (metrics == nullptr) return;
  // A weak reference: the registry keeps the callback for its whole life, the bus may go first.
  metrics->gauge_callback("vigil_alert_stream_subscribers", "Live alert stream (SSE) subscriptions",
                          [weak = std::weak_ptr<Subscription::Core>(core_)]() -> std::optional<double> {
                            const auto core = weak.lock();
                            if (!core) return std::nullopt;
                            std::lock_guard lock(core->mu);
                            return static_cast<double>(core->subscribers.size());
                          });
}

AlertBus::~AlertBus() = default;

std::shared_ptr<Subscription> AlertBus::subscribe(std::size_t max_queue, std::function<void()> notify) {
  auto sub = std::make_shared<Subscription>(core_, max_queue, std::move(notify));
  std::lock_guard lock(core_->mu);
  core_->subscribers.emplace_back(sub.get(), sub);
  return sub;
}

void AlertBus::publish(const std::vector<AlertEvent>& events) {
  if (events.empty()) return;
  // References taken under core_->mu are released only after it: dropping the last one runs the
  // subscription's destructor, which takes core_->mu.
  std::vector<std::shared_ptr<Subscription>> alive;
  std::vector<Subscription*> wake;
  {
    std::lock_guard lock(core_->mu);
    alive.reserve(core_->subscribers.size());
    for (const auto& entry : core_->subscribers) {
      auto sub = entry.second.lock();
      if (!sub) continue;  // being destroyed; its destructor removes the entry
      bool notify = false;
      for (const auto& event : events) notify = sub->offer(event) || notify;
      if (notify && sub->notify_) wake.push_back(sub.get());
      alive.push_back(std::move(sub));
    }
  }
  for (auto* sub : wake) sub->notify_();
}

std::size_t AlertBus::subscriber_count() const {
  std::lock_guard lock(core_->mu);
  return core_->subscribers.size();
}

}  // namespace vigil::alerts
