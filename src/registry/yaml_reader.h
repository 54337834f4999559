#pragma once
// Strict reading of YAML nodes for the protocol-file loader (internal to this module). Every check
// that fails throws ProtocolFileError with "FILE:LINE:COL: reason" pointing at the offending node,
// so a typo in a 2,000-patient file is found by its line, not by a wrong alert weeks later.
//
// Paths in messages are dotted with list positions, e.g. "protocol.thresholds[2].low".
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "domain/severity.h"

namespace vigil::registry {

class YamlReader {
 public:
  explicit YamlReader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const YAML::Mark& at, const std::string& reason) const;
  [[noreturn]] void fail(const YAML::Node& at, const std::string& reason) const { fail(at.Mark(), reason); }
  // "FILE:LINE" of a node, for messages that point back at an earlier definition.
  [[nodiscard]] std::string where(const YAML::Mark& at) const;

  [[nodiscard]] std::string string(const YAML::Node& n, const std::string& path) const;
  // An id (see plain_id): trial, site, patient and arm ids travel in URLs, log lines and file names.
  [[nodiscard]] std::string identifier(const YAML::Node& n, const std::string& path) const;
  // A string that is not empty and has no leading or trailing blanks (names).
  [[nodiscard]] std::string text(const YAML::Node& n, const std::string& path) const;
  [[nodiscard]] long long integer(const YAML::Node& n, const std::string& path, long long min,
                                  long long max) const;
  // A finite number.
  [[nodiscard]] double number(const YAML::Node& n, const std::string& path) const;
  // Only `true` or `false`: YAML 1.1's yes/no/on/off are rejected as likely mistakes.
  [[nodiscard]] bool boolean(const YAML::Node& n, const std::string& path) const;
  // "30s", "90m", "1h", "2d", "500ms"; within [min, max].
  [[nodiscard]] Duration duration(const YAML::Node& n, const std::string& path, Duration min,
                                  Duration max) const;
  // RFC 3339, e.g. 2026-09-01T08:00:00Z.
  [[nodiscard]] TimePoint timestamp(const YAML::Node& n, const std::string& path) const;
  [[nodiscard]] domain::Severity severity(const YAML::Node& n, const std::string& path) const;
  // A sequence (an empty one is allowed).
  const YAML::Node& sequence(const YAML::Node& n, const std::string& path) const;

 private:
  std::string origin_;
};

// One YAML mapping, checked against the keys it may and must have: unknown keys (typos), repeated
// keys and missing required keys are errors. Values are looked up by key afterwards.
class Mapping {
 public:
  Mapping(const YamlReader& r, const YAML::Node& node, std::string path,
          std::initializer_list<std::string_view> required, std::initializer_list<std::string_view> optional);

  [[nodiscard]] const YAML::Node& node() const { return node_; }
  [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }
  // The value of a key; nullptr when absent.
  [[nodiscard]] const YAML::Node* find(std::string_view key) const;
  // The value of a key that must be present (a required key, or one checked with has()).
  [[nodiscard]] const YAML::Node& at(std::string_view key) const;
  // The mark of a key itself, for errors about the key rather than its value.
  [[nodiscard]] YAML::Mark key_mark(std::string_view key) const;
  // The mapping's own path, and "path.key", for messages.
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string path(std::string_view key) const;

 private:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
  };
  const Entry* entry(std::string_view key) const;

  YAML::Node node_;
  std::string path_;
  std::vector<Entry> entries_;
};

inline constexpr std::size_t kMaxIdLength = 64;
// 1 to kMaxIdLength characters from A-Z a-z 0-9 - _ . (nothing that needs escaping anywhere).
bool plain_id(std::string_view id);

// Parses "<digits><unit>" with unit ms, s, m, h or d; nullopt when malformed or out of range.
std::optional<Duration> parse_duration(std::string_view text);
// The inverse, in the largest unit that divides it exactly: "1h", "90m", "0ms".
std::string format_duration(Duration d);

}  // namespace vigil::registry
