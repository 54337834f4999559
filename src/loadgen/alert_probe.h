#pragma once
// Ingest-to-alert latency (the `alert-latency` scenario): hands out the patients that receive an
// alerting reading, remembers when each such reading was *scheduled* to be sent, and matches the
// alert events of GET /v1/alerts/stream back to it through the alert's `observation_ids`.
//
// Alerts are deduplicated per (patient, rule) while unresolved, so a second alerting reading for a
// patient would only update the alert it already has. Each patient therefore gets at most one
// alerting reading per run: claim_target() walks the patients once (the credentials file's
// distinct patients, or the generated patient space) and then reports exhaustion.
//
// Matching: an `opened` or `updated` event whose observation_ids hold a pending reading's id
// records (arrival - scheduled send) for it, once (the same reading may open several alerts, e.g.
// the protocol threshold and NEWS2; the first to arrive counts). `updated` means the patient
// already had the alert open (from an earlier run). Events naming none of this run's alerting
// readings are counted as unmatched; `acknowledged`/`resolved` events are ignored.
//
// Thread safety: every member is safe to call from any thread (load threads send, the stream
// thread matches). Times are the caller's monotonic nanoseconds (one Ticks for both sides).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "loadgen/credentials.h"
#include "loadgen/payload.h"
#include "loadgen/report.h"

namespace vigil::loadgen {

// Heart-rate values (8867-4, /min) of the scenario. The demo protocol alerts strictly above 130
// (threshold:8867-4) and the API accepts (0, 300]; 60-90 scores 0 in NEWS2 and crosses nothing.
inline constexpr unsigned kAlertBpmLow = 140;
inline constexpr unsigned kAlertBpmHigh = 170;
inline constexpr unsigned kNormalBpmLow = 60;
inline constexpr unsigned kNormalBpmHigh = 90;

struct AlertTarget {
  std::string patient_id;
  std::optional<Header> credential;  // the patient's own credential, when a file gave one
};

class AlertProbe {
 public:
  // With credentials, the targets are their distinct patients; otherwise the patient space. The
  // first `skip` targets are left out, so that runs against one server can use fresh patients
  // (an earlier run's alerts stay open until someone resolves them).
  AlertProbe(const std::vector<Credential>& credentials, PatientSpace space, std::uint64_t skip = 0);

  // The next patient that has not had an alerting reading; nullopt once all have.
  std::optional<AlertTarget> claim_target();

  // An alerting reading with id `observation_id`, scheduled at `scheduled_ns`, is about to be sent.
  void sent(std::string_view observation_id, std::int64_t scheduled_ns);
  // Its answer: `accepted` false (non-2xx, error, timeout) means no alert is to be expected.
  void answered(std::string_view observation_id, bool accepted);
  // One event of the stream (its `data`), arrived at `arrival_ns`.
  void on_event(std::string_view data, std::int64_t arrival_ns);
  void on_reconnect();

  // Readings sent and accepted that no event has matched yet.
  [[nodiscard]] std::uint64_t pending() const;
  // Blocks until pending() is 0 or `timeout` passed; true when nothing is pending.
  bool wait_settled(std::chrono::nanoseconds timeout);
  // The counts and latencies so far; pending readings count as missing.
  [[nodiscard]] AlertLatencyStats stats() const;

 private:
  // Constant after construction.
  const std::vector<Credential> patients_;  // distinct; empty: use space_
  const PatientSpace space_;
  const std::uint64_t target_count_;

  std::atomic<std::uint64_t> next_target_;  // from the skip up; past target_count_: exhausted
  std::atomic<bool> exhausted_{false};

  mutable std::mutex mutex_;
  std::condition_variable settled_;
  std::unordered_map<std::string, std::int64_t> pending_;  // id -> scheduled send; guarded by mutex_
  std::unordered_set<std::string> matched_;                // guarded by mutex_
  AlertLatencyStats stats_;                                // guarded by mutex_
};

}  // namespace vigil::loadgen
