#include "observability/metrics.h"

#include <stdexcept>
#include <type_traits>
#include <utility>

#include "observability/metric_format.h"

namespace vigil::observability {
namespace {

template <class M>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<M, Counter>) return "counter";
  if constexpr (std::is_same_v<M, Gauge>) return "gauge";
  if constexpr (std::is_same_v<M, Histogram>) return "histogram";
}

void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ");
  append_escaped_help(out, help);
  out.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

// `{a="x",b="y"}`, with an optional trailing `le` label; nothing at all when there are no labels.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, const std::string* le = nullptr) {
  if (names.empty() && le == nullptr) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out.append(names[i]).append("=\"");
    append_escaped_label_value(out, values[i]);
    out += '"';
  }
  if (le != nullptr) {
    if (!names.empty()) out += ',';
    out.append("le=\"").append(*le).append("\"");
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix, double value) {
  out.append(name).append(suffix);
  out += ' ';
  append_number(out, value);
  out += '\n';
}

// A metric whose value is read at scrape time.
class CallbackFamily final : public detail::Collectable {
 public:
  CallbackFamily(std::string name, std::string help, const char* type, MetricsRegistry::Callback fn)
      : name_(std::move(name)), help_(std::move(help)), type_(type), fn_(std::move(fn)) {}

  void expose(std::string& out) const override {
    std::optional<double> value;
    try {
      value = fn_();
    } catch (const std::exception&) {
      // A broken source must not take the whole scrape down; the gap in the series shows it.
      return;
    }
    if (!value) return;
    append_header(out, name_, help_, type_);
    append_sample(out, name_, "", *value);
  }

 private:
  const std::string name_;
  const std::string help_;
  const char* const type_;
  const MetricsRegistry::Callback fn_;
};

}  // namespace

template <class M>
Family<M>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {
  // A metric without labels exists (at zero) from registration, as in the official clients.
  if (label_names_.empty()) with({});
}

template <class M>
M& Family<M>::with(std::span<const std::string_view> label_values) {
  if (label_values.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(label_values.size()));
  }
  const std::lock_guard lock(mutex_);
  auto it = children_.find(label_values);
  if (it == children_.end()) {
    std::unique_ptr<M> child;
    if constexpr (std::is_same_v<M, Histogram>) {
      child = std::make_unique<Histogram>(buckets_);
    } else {
      child = std::make_unique<M>();
    }
    it = children_
             .emplace(std::vector<std::string>(label_values.begin(), label_values.end()), std::move(child))
             .first;
  }
  return *it->second;
}

template <class M>
void Family<M>::expose(std::string& out) const {
  const std::lock_guard lock(mutex_);
  if (children_.empty()) return;
  append_header(out, name_, help_, type_name<M>());
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<M, Histogram>) {
      const auto snap = child->snapshot();
      for (std::size_t i = 0; i < snap.cumulative.size(); ++i) {
        const std::string le = i < buckets_.size() ? format_number(buckets_[i]) : "+Inf";
        out.append(name_).append("_bucket");
        append_labels(out, label_names_, values, &le);
        out += ' ';
        append_number(out, static_cast<double>(snap.cumulative[i]));
        out += '\n';
      }
      out.append(name_).append("_sum");
      append_labels(out, label_names_, values);
      out += ' ';
      append_number(out, snap.sum);
      out.append("\n").append(name_).append("_count");
      append_labels(out, label_names_, values);
      out.append(" ").append(std::to_string(snap.count)).append("\n");
    } else {
      out.append(name_);
      append_labels(out, label_names_, values);
      out += ' ';
      if constexpr (std::is_same_v<M, Counter>) {
        out.append(std::to_string(child->value()));
      } else {
        append_number(out, child->value());
      }
      out += '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class M>
Family<M>& MetricsRegistry::family(std::string name, std::string help, std::vector<std::string> label_names,
                                   std::vector<double> buckets) {
  if (!is_valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const auto& label = label_names[i];
    if (!is_valid_label_name(label)) throw std::invalid_argument(name + ": invalid label name: " + label);
    if (std::is_same_v<M, Histogram> && label == "le")
      throw std::invalid_argument(name + ": label 'le' is reserved");
    if (std::find(label_names.begin(), label_names.begin() + static_cast<std::ptrdiff_t>(i), label) !=
        label_names.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument(name + ": duplicate label name: " + label);
    }
  }
  const std::lock_guard lock(mutex_);
  if (const auto it = families_.find(name); it != families_.end()) {
    auto* existing = dynamic_cast<Family<M>*>(it->second.get());
    if (existing == nullptr || existing->label_names() != label_names || existing->buckets() != buckets) {
      throw std::invalid_argument(name + ": already registered with a different type, labels or buckets");
    }
    return *existing;
  }
  auto created =
      std::make_unique<Family<M>>(name, std::move(help), std::move(label_names), std::move(buckets));
  auto& ref = *created;
  families_.emplace(std::move(name), std::move(created));
  return ref;
}

Family<Counter>& MetricsRegistry::counter(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  return family<Counter>(std::move(name), std::move(help), std::move(label_names), {});
}

Family<Gauge>& MetricsRegistry::gauge(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return family<Gauge>(std::move(name), std::move(help), std::move(label_names), {});
}

Family<Histogram>& MetricsRegistry::histogram(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> buckets) {
  return family<Histogram>(std::move(name), std::move(help), std::move(label_names),
                           Histogram(std::move(buckets)).upper_bounds());
}

void MetricsRegistry::gauge_callback(std::string name, std::string help, Callback fn) {
  add_callback(std::move(name), std::move(help), "gauge", std::move(fn));
}

void MetricsRegistry::counter_callback(std::string name, std::string help, Callback fn) {
  add_callback(std::move(name), std::move(help), "counter", std::move(fn));
}

void MetricsRegistry::add_callback(std::string name, std::string help, const char* type, Callback fn) {
  if (!is_valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  if (!fn) throw std::invalid_argument(name + ": empty callback");
  const std::lock_guard lock(mutex_);
  if (families_.contains(name)) throw std::invalid_argument(name + ": already registered");
  auto created = std::make_unique<CallbackFamily>(name, std::move(help), type, std::move(fn));
  families_.emplace(std::move(name), std::move(created));
}

std::string MetricsRegistry::expose() const {
  // Families are never removed, so the pointers stay valid after the lock is released; rendering
  // without it lets callbacks take their time (or read the registry) without blocking registration.
  std::vector<const detail::Collectable*> families;
  {
    const std::lock_guard lock(mutex_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) families.push_back(family.get());
  }
  std::string out;
  for (const auto* family : families) family->expose(out);
  return out;
}

}  // namespace vigil::observability
