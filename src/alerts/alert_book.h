#pragma once
// The alert book: the unresolved alerts, indexed by id and by (patient, rule), and the decisions
// about them. A finding for a (patient, rule) with an unresolved alert updates that alert (count,
// latest reason, observation ids, trace ids, severity kept at the maximum); otherwise it opens a new
// one.
// Acknowledge and resolve follow open -> acknowledged -> resolved and open -> resolved; a finding
// that raises an acknowledged alert's severity sets it back to open (acknowledged -> open).
//
// Decisions are made from the book's state and the `now` passed in; nothing here reads a clock or
// touches storage. Each decision is applied to the book at once (so later findings of the same batch
// see it) and returned as an AlertChange for the caller to store. When storing fails, the caller
// must reset() the book from the store so the two agree again.
//
// Thread safety: none; the AlertService uses it under its mutex.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alert.h"
#include "domain/finding.h"

namespace vigil::alerts {

// Where a finding comes from: what the alert records besides the finding itself.
struct AlertContext {
  std::string trial_id;
  std::string site_id;
  std::string patient_id;
  int protocol_version = 0;
  // W3C trace ids (32 hex) of the requests behind the finding's readings; empty when untraced.
  // Merged into Alert::trace_ids. (Initialised so that four-field initializers stay valid.)
  std::vector<std::string> trace_ids{};
};

struct BookDecision {
  // not_found: no UNRESOLVED alert has this id (it may exist resolved: the service asks the store).
  TransitionStatus status = TransitionStatus::ok;
  std::optional<AlertChange> change;  // when ok
  std::optional<Alert> current;       // when invalid_transition: the alert as it stands
};

class AlertBook {
 public:
  explicit AlertBook(std::vector<Alert> unresolved, AlertIdGenerator ids = AlertIdGenerator());

  // Opens or updates the alert for (context.patient_id, finding.rule_id). Returns nullopt only
  // when the finding changes nothing: it repeats observation ids the alert has already merged
  // (a replayed reading must not inflate the count). An update's change carries the alert without
  // its two lists (AlertChange::alert); find() has them.
  std::optional<AlertChange> on_finding(const domain::Finding& finding, const AlertContext& context,
                                        TimePoint now);
  // Gives the last update of each alert in `changes` (in order, as on_finding returned them, none
  // stored yet) the alert's current lists, so that it is the whole alert the store keeps: once per
  // alert, however many findings merged into it.
  void fill_lists(std::vector<AlertChange>& changes) const;
  BookDecision acknowledge(std::string_view id, std::string_view actor, std::string_view note, TimePoint now);
  BookDecision resolve(std::string_view id, std::string_view actor, std::string_view note, TimePoint now);

  // Replaces the whole state (after a failed store commit, from AlertStore::load_unresolved()).
  void reset(std::vector<Alert> unresolved);

  [[nodiscard]] std::size_t size() const { return by_id_.size(); }
  [[nodiscard]] const Alert* find(std::string_view id) const;
  [[nodiscard]] const Alert* find(std::string_view patient_id, std::string_view rule_id) const;

 private:
  using Key = std::pair<std::string, std::string>;  // (patient_id, rule_id)

  AlertChange open(const domain::Finding& finding, const AlertContext& context, TimePoint now);
  std::optional<AlertChange> merge(Alert& alert, const domain::Finding& finding, const AlertContext& context,
                                   TimePoint now);

  AlertIdGenerator ids_;
  std::map<std::string, Alert, std::less<>> by_id_;
  std::map<Key, std::string> by_key_;
};

}  // namespace vigil::alerts
