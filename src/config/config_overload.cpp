// The overload-protection and authentication sections: limits, rate_limits, shedding, deadlines,
// breakers, auth.
#include <algorithm>

#include "config/reader.h"

namespace vigil::config::detail {

using std::chrono::milliseconds;

namespace {

// A group name under `section` must be one the routes use (kRouteGroups).
void check_group(const Reader& r, const YAML::Node& key, const std::string& name, std::string_view section) {
  if (std::find(kRouteGroups.begin(), kRouteGroups.end(), name) == kRouteGroups.end()) {
    r.fail(key, fmt::format("unknown route group '{}' in '{}' (known: {})", name, section, fmt::join(kRouteGroups, ", ")));
  }
}

// A sliding window's buckets must each span at least a millisecond (resilience::RollingWindow).
void check_buckets(const Reader& r, const YAML::Node& section, std::string_view path, milliseconds window,
                   unsigned buckets) {
  if (window / buckets < milliseconds(1)) {
    r.fail(section, fmt::format("'{0}.window' ({1} ms) divided by '{0}.buckets' ({2}) must be at least 1 ms",
                                path, window.count(), buckets));
  }
}

}  // namespace

void read_limits(const Reader& r, const YAML::Node& node, LimitsConfig& c) {
  r.section(node, "limits", {"max_connections", "max_in_flight"}, [&](const std::string& k, const YAML::Node& v) {
    if (k == "max_connections") c.max_connections = r.integer<std::size_t>(v, "limits.max_connections", 1, 1'000'000);
    if (k == "max_in_flight") c.max_in_flight = r.integer<std::size_t>(v, "limits.max_in_flight", 1, 1'000'000);
  });
}

void read_rate_limits(const Reader& r, const YAML::Node& node, RateLimitsConfig& c) {
  r.section(node, "rate_limits", {"enabled", "max_keys", "groups"}, [&](const std::string& k, const YAML::Node& v) {
    if (k == "enabled") c.enabled = r.boolean(v, "rate_limits.enabled");
    if (k == "max_keys") c.max_keys = r.integer<std::size_t>(v, "rate_limits.max_keys", 1, 100'000'000);
    if (k != "groups") return;
    if (!v.IsMap()) r.fail(v, "'rate_limits.groups' must be a mapping of group name to {rate, burst}");
    for (const auto& g : v) {
      const auto name = g.first.as<std::string>();
      check_group(r, g.first, name, "rate_limits.groups");
      const auto path = "rate_limits.groups." + name;
      RateGroupConfig group = c.groups.contains(name) ? c.groups[name] : c.groups["default"];
      r.section(g.second, path, {"rate", "burst"}, [&](const std::string& gk, const YAML::Node& gv) {
        if (gk == "rate") group.rate = r.number(gv, path + ".rate", 0.001, 1e9);
        if (gk == "burst") group.burst = r.number(gv, path + ".burst", 1, 1e9);
      });
      c.groups[name] = group;
    }
  });
}

void read_shedding(const Reader& r, const YAML::Node& node, SheddingConfig& c) {
  r.section(node, "shedding", {"enabled", "cpu_threshold", "cpu_source", "window", "buckets", "cool_off", "read_share",
                                    "min_in_flight"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "enabled") c.enabled = r.boolean(v, "shedding.enabled");
              if (k == "cpu_threshold") c.cpu_threshold = r.number(v, "shedding.cpu_threshold", 0.01, 1.0);
              if (k == "cpu_source") {
                c.cpu_source = r.string(v, "shedding.cpu_source");
                if (c.cpu_source != "process" && c.cpu_source != "system") {
                  r.fail(v, "'shedding.cpu_source' must be process or system");
                }
              }
              if (k == "window") c.window = r.duration(v, "shedding.window", milliseconds(100), std::chrono::minutes(10));
              if (k == "buckets") c.buckets = r.integer<unsigned>(v, "shedding.buckets", 2, 10'000);
              if (k == "cool_off") c.cool_off = r.duration(v, "shedding.cool_off", milliseconds(0), std::chrono::minutes(10));
              if (k == "read_share") c.read_share = r.number(v, "shedding.read_share", 0.01, 1.0);
              if (k == "min_in_flight") c.min_in_flight = r.integer<unsigned>(v, "shedding.min_in_flight", 0, 1'000'000);
            });
  check_buckets(r, node, "shedding", c.window, c.buckets);
}

void read_deadlines(const Reader& r, const YAML::Node& node, DeadlinesConfig& c) {
  if (!node.IsMap()) r.fail(node, "'deadlines' must be a mapping of route group to duration");
  for (const auto& g : node) {
    const auto name = g.first.as<std::string>();
    check_group(r, g.first, name, "deadlines");
    c.groups[name] = r.duration(g.second, "deadlines." + name, milliseconds(1), std::chrono::hours(1));
  }
}

void read_breakers(const Reader& r, const YAML::Node& node, BreakersConfig& c) {
  r.section(node, "breakers", {"k", "window", "buckets", "probe_interval"}, [&](const std::string& k, const YAML::Node& v) {
    if (k == "k") c.k = r.number(v, "breakers.k", 1.0, 10.0);
    if (k == "window") c.window = r.duration(v, "breakers.window", milliseconds(100), std::chrono::minutes(10));
    if (k == "buckets") c.buckets = r.integer<unsigned>(v, "breakers.buckets", 1, 10'000);
    if (k == "probe_interval")
      c.probe_interval = r.duration(v, "breakers.probe_interval", milliseconds(1), std::chrono::minutes(10));
  });
  check_buckets(r, node, "breakers", c.window, c.buckets);
}

void read_auth(const Reader& r, const YAML::Node& node, AuthConfig& c) {
  r.section(node, "auth",
            {"hs256_secret_file", "create_secret", "public_key_file", "issuer", "audience", "leeway", "token_ttl"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "hs256_secret_file") c.hs256_secret_file = r.string(v, "auth.hs256_secret_file");
              if (k == "create_secret") c.create_secret = r.boolean(v, "auth.create_secret");
              if (k == "public_key_file") c.public_key_file = r.string(v, "auth.public_key_file");
              if (k == "issuer") c.issuer = r.string(v, "auth.issuer");
              if (k == "audience") c.audience = r.string(v, "auth.audience");
              if (k == "leeway") {
                c.leeway = std::chrono::duration_cast<std::chrono::seconds>(
                    r.duration(v, "auth.leeway", milliseconds(0), std::chrono::minutes(10)));
              }
              if (k == "token_ttl") {
                c.token_ttl = std::chrono::duration_cast<std::chrono::seconds>(
                    r.duration(v, "auth.token_ttl", std::chrono::seconds(1), std::chrono::days(365)));
              }
            });
}

void read_registry(const Reader& r, const YAML::Node& node, RegistryStoreConfig& c) {
  r.section(node, "registry", {"backend", "postgres", "pool_size", "field_key_file"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "backend") {
                c.backend = r.string(v, "registry.backend");
                if (c.backend != "sqlite" && c.backend != "postgres") {
                  r.fail(v, "'registry.backend' must be sqlite or postgres");
                }
              }
              if (k == "postgres") c.postgres = r.string(v, "registry.postgres");
              if (k == "pool_size") c.pool_size = r.integer<std::size_t>(v, "registry.pool_size", 1, 256);
              if (k == "field_key_file") c.field_key_file = r.string(v, "registry.field_key_file");
            });
  if (c.backend == "postgres" && c.postgres.empty()) {
    r.fail(node, "'registry.postgres' (a libpq connection string) is required when 'registry.backend' is postgres");
  }
}

}  // namespace vigil::config::detail
