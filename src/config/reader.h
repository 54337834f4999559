#pragma once
// Internal to the config module: strict reading of YAML nodes with "FILE:LINE:COL: reason" errors,
// shared by the files that read each section.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>

#include "config/config.h"

namespace vigil::config::detail {

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& reason) const {
    const auto m = at.Mark();
    if (m.line < 0) throw ConfigError(fmt::format("{}: {}", origin_, reason));
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin_, m.line + 1, m.column + 1, reason));
  }

  // Calls `on_key(name, value)` for each key of a mapping, rejecting keys not in `known`.
  void section(const YAML::Node& node, const std::string& path, const std::set<std::string>& known,
               const std::function<void(const std::string&, const YAML::Node&)>& on_key) const {
    if (!node.IsMap()) fail(node, fmt::format("'{}' must be a mapping", path));
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>();
      if (!known.contains(key)) {
        fail(kv.first, fmt::format("unknown key '{}{}' (known: {})", path.empty() ? "" : path + ".", key,
                                   fmt::join(known, ", ")));
      }
      on_key(key, kv.second);
    }
  }

  double number(const YAML::Node& n, const std::string& key, double min, double max) const {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || v != v) {
      fail(n, fmt::format("'{}' must be a number", key));
    }
    if (v < min || v > max) fail(n, fmt::format("'{}' must be between {} and {}, got {}", key, min, max, v));
    return v;
  }

  bool boolean(const YAML::Node& n, const std::string& key) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) fail(n, fmt::format("'{}' must be true or false", key));
    return v;
  }

  std::string string(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, fmt::format("'{}' must be a string", key));
    return n.Scalar();
  }

  template <typename T>
  T integer(const YAML::Node& n, const std::string& key, T min, T max) const {
    long long v = 0;
    if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
      fail(n, fmt::format("'{}' must be an integer", key));
    }
    if (v < static_cast<long long>(min) || v > static_cast<long long>(max)) {
      fail(n, fmt::format("'{}' must be between {} and {}, got {}", key, min, max, v));
    }
    return static_cast<T>(v);
  }

  std::chrono::milliseconds duration(const YAML::Node& n, const std::string& key,
                                     std::chrono::milliseconds min, std::chrono::milliseconds max) const {
    std::chrono::milliseconds d{};
    if (!n.IsScalar() || !parse_duration(n.Scalar(), d)) {
      fail(n, fmt::format("'{}' must be a duration such as 500ms, 30s, 5m or 1h", key));
    }
    if (d < min || d > max) {
      fail(n, fmt::format("'{}' must be between {}ms and {}ms, got {}", key, min.count(), max.count(),
                          n.Scalar()));
    }
    return d;
  }

 private:
  std::string origin_;
};

inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24 * 365);

// One function per group of sections (config_*.cpp).
void read_limits(const Reader& r, const YAML::Node& node, LimitsConfig& c);
void read_rate_limits(const Reader& r, const YAML::Node& node, RateLimitsConfig& c);
void read_shedding(const Reader& r, const YAML::Node& node, SheddingConfig& c);
void read_deadlines(const Reader& r, const YAML::Node& node, DeadlinesConfig& c);
void read_breakers(const Reader& r, const YAML::Node& node, BreakersConfig& c);
void read_auth(const Reader& r, const YAML::Node& node, AuthConfig& c);
void read_registry(const Reader& r, const YAML::Node& node, RegistryStoreConfig& c);
void read_tracing(const Reader& r, const YAML::Node& node, TracingConfig& c);

}  // namespace vigil::config::detail
