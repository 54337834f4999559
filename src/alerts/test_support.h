#pragma once
// Test-only helpers for the alerts tests: a temporary directory removed on destruction,
// findings/contexts built in one line, and raw SQL on a store's file (to build files of older versions).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "alerts/alert_book.h"
#include "alerts/alert_store.h"
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

// The alerts of a page, read back from their documents.
inline std::vector<Alert> alerts_of(const AlertPage& page) {
  std::vector<Alert> out;
  for (const auto& doc : page.documents) out.push_back(parse_alert_document(doc));
  return out;
}

// Runs `sql` on the file with one bound text parameter per entry of `texts`.
inline void exec_sql(const std::filesystem::path& file, const std::string& sql,
              const std::vector<std::string>& texts = {}) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    sqlite3_bind_text(stmt, static_cast<int>(i + 1), texts[i].c_str(), static_cast<int>(texts[i].size()),
                      SQLITE_TRANSIENT);
  }
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

inline std::int64_t sql_int(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  const std::int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

// 2026-11-22T08:00:00Z
inline TimePoint t0() {
  return TimePoint(std::chrono::milliseconds(1795334400000));
}

}  // namespace vigil::alerts::testing
