#include "registry/yaml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "registry/protocol_file.h"

namespace vigil::registry {

void YamlReader::fail(const YAML::Mark& at, const std::string& reason) const {
  if (at.line < 0) throw ProtocolFileError(fmt::format("{}: {}", origin_, reason));
  throw ProtocolFileError(fmt::format("{}:{}:{}: {}", origin_, at.line + 1, at.column + 1, reason));
}

std::string YamlReader::where(const YAML::Mark& at) const {
  return fmt::format("{}:{}", origin_, at.line + 1);
}

std::string YamlReader::string(const YAML::Node& n, const std::string& path) const {
  if (!n.IsScalar()) fail(n, fmt::format("'{}' must be a string", path));
  return n.Scalar();
}

std::string YamlReader::text(const YAML::Node& n, const std::string& path) const {
  auto s = string(n, path);
  if (s.empty()) fail(n, fmt::format("'{}' must not be empty", path));
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    fail(n, fmt::format("'{}' must not start or end with a blank", path));
  }
  return s;
}

std::string YamlReader::identifier(const YAML::Node& n, const std::string& path) const {
  auto id = text(n, path);
  if (!plain_id(id)) {
    fail(n,
         fmt::format("'{}' must be 1-{} letters, digits, '-', '_' or '.', got '{}'", path, kMaxIdLength, id));
  }
  return id;
}

long long YamlReader::integer(const YAML::Node& n, const std::string& path, long long min,
                              long long max) const {
  long long v = 0;
  if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
    fail(n, fmt::format("'{}' must be an integer", path));
  }
  if (v < min || v > max) fail(n, fmt::format("'{}' must be between {} and {}, got {}", path, min, max, v));
  return v;
}

double YamlReader::number(const YAML::Node& n, const std::string& path) const {
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
    fail(n, fmt::format("'{}' must be a number", path));
  }
  return v;
}

bool YamlReader::boolean(const YAML::Node& n, const std::string& path) const {
  if (n.IsScalar() && n.Scalar() == "true") return true;
  if (n.IsScalar() && n.Scalar() == "false") return false;
  fail(n, fmt::format("'{}' must be true or false", path));
}

Duration YamlReader::duration(const YAML::Node& n, const std::string& path, Duration min,
                              Duration max) const {
  const auto s = string(n, path);
  if (!s.empty() && s.front() == '-') fail(n, fmt::format("'{}' must not be negative, got '{}'", path, s));
  const auto d = parse_duration(s);
  if (!d) fail(n, fmt::format("'{}' must be a duration such as 30s, 90m, 1h or 2d, got '{}'", path, s));
  if (*d < min || *d > max) {
    fail(n, fmt::format("'{}' must be between {} and {}, got '{}'", path, format_duration(min),
                        format_duration(max), s));
  }
  return *d;
}

TimePoint YamlReader::timestamp(const YAML::Node& n, const std::string& path) const {
  const auto s = string(n, path);
  TimePoint t{};
  if (!parse_rfc3339(s, t)) {
    fail(n,
         fmt::format("'{}' must be an RFC 3339 timestamp such as 2026-09-01T08:00:00Z, got '{}'", path, s));
  }
  return t;
}

domain::Severity YamlReader::severity(const YAML::Node& n, const std::string& path) const {
  const auto s = string(n, path);
  const auto v = domain::parse_severity(s);
  if (!v) {
    fail(n, fmt::format("'{}' must be one of low, low-medium, medium, high, critical, got '{}'", path, s));
  }
  return *v;
}

const YAML::Node& YamlReader::sequence(const YAML::Node& n, const std::string& path) const {
  if (!n.IsSequence()) fail(n, fmt::format("'{}' must be a list", path));
  return n;
}

Mapping::Mapping(const YamlReader& r, const YAML::Node& node, std::string path,
                 std::initializer_list<std::string_view> required,
                 std::initializer_list<std::string_view> optional)
    : node_(node), path_(std::move(path)) {
  const auto shown = path_.empty() ? std::string("the file") : fmt::format("'{}'", path_);
  if (!node.IsMap()) r.fail(node, fmt::format("{} must be a mapping", shown));
  const auto known = [&](std::string_view key) {
    for (const auto k : required) {
      if (k == key) return true;
    }
    for (const auto k : optional) {
      if (k == key) return true;
    }
    return false;
  };
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) r.fail(kv.first, fmt::format("keys of {} must be plain words", shown));
    auto key = kv.first.Scalar();
    if (!known(key)) {
      std::vector<std::string_view> all(required);
      all.insert(all.end(), optional.begin(), optional.end());
      r.fail(kv.first, fmt::format("unknown key '{}' in {} (known: {})", key, shown, fmt::join(all, ", ")));
    }
    if (const auto* earlier = entry(key)) {
      r.fail(kv.first,
             fmt::format("key '{}' repeated in {} (first at {})", key, shown, r.where(earlier->key_mark)));
    }
    entries_.push_back(Entry{std::move(key), kv.first.Mark(), kv.second});
  }
  for (const auto k : required) {
    if (!entry(k)) r.fail(node, fmt::format("{} is missing required key '{}'", shown, k));
  }
}

const Mapping::Entry* Mapping::entry(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const YAML::Node* Mapping::find(std::string_view key) const {
  const auto* e = entry(key);
  return e ? &e->value : nullptr;
}

const YAML::Node& Mapping::at(std::string_view key) const {
  const auto* e = entry(key);
  if (!e) throw std::logic_error(fmt::format("Mapping::at: '{}' absent; check has() first", key));
  return e->value;
}

YAML::Mark Mapping::key_mark(std::string_view key) const {
  const auto* e = entry(key);
  return e ? e->key_mark : node_.Mark();
}

std::string Mapping::path(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

bool plain_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdLength && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::string format_duration(Duration d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 86'400'000 == 0) return fmt::format("{}d", ms / 86'400'000);
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms != 0 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  long long n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (n > std::numeric_limits<long long>::max() / 1'000'000'000) return std::nullopt;
    n = n * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  const auto unit = text.substr(i);
  long long ms_per_unit = 0;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else if (unit == "d") {
    ms_per_unit = 86'400'000;
  } else {
    return std::nullopt;
  }
  return Duration(n * ms_per_unit);
}

}  // namespace vigil::registry
