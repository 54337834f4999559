#pragma once
// A small Prometheus metrics registry with text exposition (format 0.0.4).
//
// Hot path: Counter::inc, Gauge::set/add and Histogram::observe are relaxed atomics only, no lock
// and no allocation. Family::with() takes the family's mutex (and allocates the first time a label
// combination is seen), so hot paths call it once and keep the returned reference: every metric
// object lives, at a fixed address, as long as the registry that made it.
//
// Thread safety: every member of every type here may be called from any thread. A scrape sees each
// value as some recent value; a histogram's _sum may trail its _count by observations in flight,
// while its buckets and _count always agree with each other.
//
// Errors: invalid metric/label names, a reused name with a different type, label set or buckets,
// and a wrong number of label values are programming errors reported as std::invalid_argument.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::observability {

// Monotonically increasing integer count (requests, errors, bytes).
class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (queue depth, connections).
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  // C++20 atomic<double>::fetch_add is a lock-free compare-exchange loop on x86-64 and AArch64.
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into fixed buckets. `upper_bounds` must be strictly increasing and free of
// NaN; a trailing +Inf is accepted and dropped, since the +Inf bucket is always implicit.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);

  void observe(double v);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per upper bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  [[nodiscard]] Snapshot snapshot() const;
  [[nodiscard]] const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::vector<std::atomic<std::uint64_t>> counts_;  // per bucket, not cumulative; last is +Inf
  std::atomic<double> sum_{0.0};
};

// 50 µs .. 10 s, for request and processing latency in seconds.
std::vector<double> latency_buckets_seconds();

namespace detail {
// What the registry needs from every family at scrape time.
class Collectable {
 public:
  virtual ~Collectable() = default;
  virtual void expose(std::string& out) const = 0;
};

// Orders label-value tuples; transparent so lookups need no allocation.
struct LabelValuesLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](std::string_view x, std::string_view y) { return x < y; });
  }
};
}  // namespace detail

// All children of one metric name, one per combination of label values.
// M is Counter, Gauge or Histogram (explicitly instantiated in metrics.cpp).
template <class M>
class Family final : public detail::Collectable {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> buckets);

  // The child for these label values (in label-name order), created on first use.
  M& with(std::initializer_list<std::string_view> label_values) {
    return with(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  }
  M& with(std::span<const std::string_view> label_values);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::vector<std::string>& label_names() const { return label_names_; }
  [[nodiscard]] const std::vector<double>& buckets() const { return buckets_; }
  void expose(std::string& out) const override;

 private:
  // Constant after construction.
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;  // Histogram only
  // Children are never removed; unique_ptr keeps their addresses fixed.
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<M>, detail::LabelValuesLess>
      children_;  // GUARDED_BY(mutex_)
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// Owns every family; expose() renders them sorted by name. The registry must outlive every
// reference it handed out (normally it lives for the whole process).
class MetricsRegistry {
 public:
  // Returning nullopt omits the sample from this scrape (e.g. /proc was unreadable). A callback
  // that throws is omitted the same way. Callbacks run during expose() with no registry lock held.
  using Callback = std::function<std::optional<double>()>;

  // Registering a name again returns the existing family when type, label names (and buckets) are
  // the same; otherwise, or when the name is invalid, throws std::invalid_argument. The HELP text
  // of the first registration wins.
  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                               std::vector<double> buckets);

  // Values computed at scrape time: gauges (consumer lag, memory) and counters kept elsewhere (an
  // existing atomic, CPU time). A callback name can be registered only once.
  void gauge_callback(std::string name, std::string help, Callback fn);
  void counter_callback(std::string name, std::string help, Callback fn);

  [[nodiscard]] std::string expose() const;

 private:
  template <class M>
  Family<M>& family(std::string name, std::string help, std::vector<std::string> label_names,
                    std::vector<double> buckets);
  void add_callback(std::string name, std::string help, const char* type, Callback fn);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<detail::Collectable>, std::less<>> families_;  // GUARDED_BY(mutex_)
};

}  // namespace vigil::observability
