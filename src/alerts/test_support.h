#pragma once
// Test-only helpers for the alerts tests: a temporary directory removed on destruction, and
// findings/contexts built in one line.
#include <fmt/format.h>

#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "alerts/alert_book.h"
#include "domain/finding.h"

namespace vigil::alerts::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ =
        std::filesystem::temp_directory_path() / fmt::format("vigil-alerts-test-{:08x}{:08x}", rd(), rd());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline domain::Finding finding(std::string rule_id, domain::Severity severity, std::string reason,
                               std::vector<std::string> observation_ids, TimePoint observed_at = {}) {
  domain::Finding f;
  f.rule_id = std::move(rule_id);
  f.severity = severity;
  f.reason = std::move(reason);
  f.observation_ids = std::move(observation_ids);
  f.observed_at = observed_at;
  return f;
}

inline AlertContext context(std::string patient_id, std::string site_id = "site-01",
                            std::string trial_id = "TRIAL-1", int protocol_version = 3) {
  return AlertContext{std::move(trial_id), std::move(site_id), std::move(patient_id), protocol_version};
}

// context(patient_id) whose finding came from requests with these W3C trace ids.
inline AlertContext traced(std::string patient_id, std::vector<std::string> trace_ids) {
  AlertContext c = context(std::move(patient_id));
  c.trace_ids = std::move(trace_ids);
  return c;
}

// 2026-11-22T08:00:00Z
inline TimePoint t0() {
  return TimePoint(std::chrono::milliseconds(1795334400000));
}

}  // namespace vigil::alerts::testing
