#pragma once
// TEST ONLY fixtures for the pipeline tests: a temporary folder, a small trial registry built in
// code, readings encoded the way intake writes them to the log, and condition waits with generous
// deadlines (tests never sleep to synchronise).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "domain/codec.h"
#include "log/log.h"
#include "registry/memory_registry.h"

namespace vigil::pipeline::testing {

// Long enough never to fire on a loaded machine; only a hung test waits this long.
inline constexpr std::chrono::seconds kDeadline{30};

// 2026-11-22T08:00:00Z
inline const TimePoint kT0 = TimePoint(std::chrono::milliseconds(1795334400000));

inline constexpr int kProtocolVersion = 7;
inline constexpr int kPatients = 64;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-pipeline-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::string patient_id(int n) {
  return fmt::format("P-{:03}", n);
}

// Trial T1 at sites S01 (even patients) and S02 (odd): P-000..P-063 enrolled, P-W withdrawn.
// Protocol version 7: heart rate above 130 alerts (high), pain >= 8 alerts (medium), NEWS2 and
// missing data (24 h) with their defaults.
inline registry::RegistryContents trial() {
  registry::RegistryContents c;
  c.trials.push_back(registry::Trial{"T1", "Trial one", "2", registry::TrialStatus::active});
  c.sites.push_back(registry::Site{"S01", "T1", "London", "GB", "Europe/London", "Dr A"});
  c.sites.push_back(registry::Site{"S02", "T1", "Paris", "FR", "Europe/Paris", "Dr B"});
  auto add = [&](std::string id, std::string site, registry::PatientStatus status) {
    registry::Patient p;
    p.id = std::move(id);
    p.trial_id = "T1";
    p.site_id = std::move(site);
    p.status = status;
    p.enrolled_at = kT0 - std::chrono::hours(24 * 30);
    c.patients.push_back(std::move(p));
  };
  for (int i = 0; i < kPatients; ++i)
    add(patient_id(i), i % 2 == 0 ? "S01" : "S02", registry::PatientStatus::enrolled);
  add("P-W", "S01", registry::PatientStatus::withdrawn);

  auto protocol = std::make_shared<rules::Protocol>();
  protocol->trial_id = "T1";
  protocol->version = kProtocolVersion;
  protocol->thresholds.push_back(rules::Threshold{"8867-4", 40.0, 130.0, domain::Severity::high});
  domain::QuestionnaireItem pain;
  pain.id = "pain";
  pain.text = "Pain";
  pain.type = domain::ItemType::numeric;
  pain.max = 10;
  protocol->questionnaire = domain::QuestionnaireDefinition{"daily", "1", {pain}};
  protocol->epro_thresholds.push_back(
      rules::EproThreshold{"pain", rules::Comparison::greater_or_equal, 8, domain::Severity::medium});
  c.protocols.push_back(std::move(protocol));
  return c;
}

// Makes readings with unique ids (the log drops a repeated id as a duplicate).
class Readings {
 public:
  domain::Observation observation(const std::string& patient, const std::string& code, double value,
                                  const std::string& unit, TimePoint at) {
    domain::Observation o;
    o.id = next_id();
    o.patient_id = patient;
    o.code = code;
    o.value = value;
    o.unit = unit;
    o.effective_time = at;
    return o;
  }
  domain::Observation pulse(const std::string& patient, double value, TimePoint at) {
    return observation(patient, "8867-4", value, "/min", at);
  }
  domain::Observation respiration(const std::string& patient, double value, TimePoint at) {
    return observation(patient, "9279-1", value, "/min", at);
  }
  domain::Observation spo2(const std::string& patient, double value, TimePoint at) {
    return observation(patient, "2708-6", value, "%", at);
  }
  domain::QuestionnaireResponse pain(const std::string& patient, double value, TimePoint at) {
    domain::QuestionnaireResponse r;
    r.id = next_id();
    r.patient_id = patient;
    r.questionnaire_id = "daily";
    r.questionnaire_version = "1";
    r.authored = at;
    r.answers.push_back(domain::Answer{"pain", value});
    return r;
  }

 private:
  std::string next_id() { return fmt::format("00000000-0000-4000-8000-{:012x}", ++count_); }
  int count_ = 0;
};

inline log::AppendItem item(const domain::Observation& o) {
  return log::AppendItem{
      log::RecordKind::observation, o.id, o.patient_id, o.code, o.effective_time, domain::encode(o)};
}
inline log::AppendItem item(const domain::QuestionnaireResponse& r) {
  return log::AppendItem{log::RecordKind::questionnaire_response,
                         r.id,
                         r.patient_id,
                         r.questionnaire_id,
                         r.authored,
                         domain::encode(r)};
}

// Appends one batch and waits until it is durable; returns the seq of its last item.
inline std::uint64_t append(log::Log& log, std::vector<log::AppendItem> items) {
  auto done = std::make_shared<std::promise<log::AppendResult>>();
  auto result = done->get_future();
  if (!log.try_append(std::move(items), [done](log::AppendResult r) { done->set_value(std::move(r)); })) {
    throw std::runtime_error("the log refused the batch");
  }
  if (result.wait_for(kDeadline) != std::future_status::ready) throw std::runtime_error("append timed out");
  const auto r = result.get();
  if (!r.ok()) throw std::runtime_error("append failed: " + r.error);
  return r.items.back().seq;
}

template <typename Pred>
bool wait_until(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace vigil::pipeline::testing
