#pragma once
// The alert model: what Vigil raises when a rule finds something about a patient, the events that
// record every change to it, and their JSON form (the shape the HTTP API and the SSE stream send).
//
// Pure values; no I/O. AlertIdGenerator is not thread-safe (its owner, the AlertBook, is used under
// the AlertService's mutex).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/severity.h"

namespace vigil::alerts {

// open -> acknowledged -> resolved, open -> resolved, and acknowledged -> open when a finding raises
// the severity (alerts/alert_book.h). Nothing else.
enum class AlertStatus { open, acknowledged, resolved };

std::string_view to_string(AlertStatus s);  // "open", "acknowledged", "resolved"
std::optional<AlertStatus> parse_alert_status(std::string_view text);

// Who moved an alert to a state, when, and why.
struct StateChange {
  std::string actor;
  TimePoint at{};
  std::string note;  // empty when none was given
};

// At most this many observation ids are kept on an alert (the most recent ones): an alert that
// stays open for weeks must not grow without bound. `count` still counts every triggering finding.
inline constexpr std::size_t kMaxObservationIds = 64;
// Same bound, same reason, for the trace ids of the requests that carried the triggering readings.
inline constexpr std::size_t kMaxTraceIds = 64;

struct Alert {
  std::string id;  // "al_" + 16 lower-case hex digits
  std::string trial_id;
  std::string site_id;
  std::string patient_id;
  std::string rule_id;                                // see domain::Finding::rule_id
  domain::Severity severity = domain::Severity::low;  // the highest seen while unresolved
  AlertStatus status = AlertStatus::open;
  TimePoint opened_at{};
  TimePoint updated_at{};                       // last change of any kind
  std::optional<TimePoint> severity_raised_at;  // last time severity rose above the previous one
  TimePoint observed_at{};                      // effective time of the newest triggering reading
  std::vector<std::string> observation_ids;     // triggering readings, oldest first, bounded
  // W3C trace ids (32 hex) of the requests that carried the triggering readings, oldest first,
  // distinct, bounded; readings that came untraced add none. JSON "trace_ids"; snapshots stored
  // before the field existed read back with it empty.
  std::vector<std::string> trace_ids{};
  std::string reason;        // from the latest triggering finding
  int protocol_version = 0;  // protocol version the alert was opened under
  std::uint64_t count = 0;   // triggering findings merged into this alert
  std::optional<StateChange> acknowledged;
  std::optional<StateChange> resolved;

  [[nodiscard]] bool unresolved() const { return status != AlertStatus::resolved; }
};

enum class AlertEventKind { opened, updated, acknowledged, resolved };

std::string_view to_string(AlertEventKind k);  // "opened", "updated", "acknowledged", "resolved"
std::optional<AlertEventKind> parse_alert_event_kind(std::string_view text);

// The actor recorded on changes Vigil makes by itself (opening and updating from findings).
inline constexpr std::string_view kSystemActor = "system";

// A change decided by the AlertBook, not yet stored.
struct AlertChange {
  AlertEventKind kind = AlertEventKind::opened;
  // The alert after the change (the store's current state). An update from a finding
  // (AlertBook::on_finding merging into an open alert) leaves its observation_ids and trace_ids
  // EMPTY: a round merges many findings into a busy alert, and a copy of its bounded lists (up to
  // 128 strings) for each one cost 11 % of the pipeline's consumer (docs/benchmarks.md).
  // AlertService::apply fills them in on the last change of each alert, the one the store keeps.
  Alert alert{};
  std::string actor{};
  std::string note{};
  TimePoint at{};
  bool escalated = false;  // an update that raised the severity (for metrics; not stored)
  // The observation ids and trace ids this change merged into the alert (the fresh ones only);
  // empty for acknowledge and resolve.
  std::vector<std::string> observation_ids{};
  std::vector<std::string> trace_ids{};
};

// A stored change. event_id is assigned by the AlertStore: strictly increasing, never reused, so a
// client that saw event N resumes with everything after N.
//
// An event names only the readings its change merged, not the alert's whole bounded lists: an
// alert open for days is updated by every fresh triggering reading, and a copy of 64 observation
// ids and 64 trace ids (about 5 KB) in each event would make the history and the stream grow by
// that much per reading. The alert's current lists are in the alerts table (GET /v1/alerts/{id}).
struct AlertEvent {
  std::uint64_t event_id = 0;
  AlertEventKind kind = AlertEventKind::opened;
  // The alert after the change, with observation_ids and trace_ids left EMPTY (see above).
  Alert alert;
  std::string actor;
  std::string note;
  TimePoint at{};
  std::vector<std::string> observation_ids{};  // merged by this change; see AlertChange
  std::vector<std::string> trace_ids{};        // merged by this change; see AlertChange
};

// Every field of the alert but its two lists: copying the lists only to clear them would copy up to
// 128 strings.
Alert without_lists(const Alert& alert);

// The event of a change: the alert without its lists, and the ids the change merged.
AlertEvent event_of(const AlertChange& change, std::uint64_t event_id);

// Outcome of acknowledge/resolve. The HTTP API maps not_found to 404 and invalid_transition to 409.
enum class TransitionStatus { ok, not_found, invalid_transition };

// JSON as sent by the API: times are RFC 3339 UTC, severities as in domain/severity.h,
// absent optionals are null.
boost::json::object to_json(const Alert& alert);
// {"event_id", "kind", "actor", "note", "at", "alert": the alert object without "observation_ids"
// and "trace_ids", "observation_ids": merged by this change, "trace_ids": merged by this change}.
boost::json::object to_json(const AlertEvent& event);
// Inverse of to_json(const Alert&); nullopt when a field is missing or malformed. Used by the store
// to read back its own snapshots.
std::optional<Alert> alert_from_json(const boost::json::value& json);
// How the store keeps an event's alert: the alert object whose observation_ids and trace_ids are
// the ones the event merged. alert_from_json reads it back (the lists then belong to the event).
boost::json::object to_stored_json(const AlertEvent& event);

// Makes alert ids: "al_" + 16 hex digits. Ids are a bijective mix (splitmix64) of seed + counter, so
// they never repeat within one generator; a random seed per process makes a repeat across restarts
// as likely as a 64-bit random collision.
class AlertIdGenerator {
 public:
  AlertIdGenerator();  // seeded from std::random_device
  explicit AlertIdGenerator(std::uint64_t seed) : state_(seed) {}
  std::string next();

 private:
  std::uint64_t state_;
};

}  // namespace vigil::alerts
