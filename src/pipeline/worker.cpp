#include "pipeline/worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "common/thread_name.h"
#include "domain/codec.h"
#include "observability/log_context.h"
#include "observability/trace.h"
#include "pipeline/partition.h"
#include "rules/engine.h"
#include "rules/missing_data.h"

namespace vigil::pipeline::detail {
namespace {

std::string_view kind_name(log::RecordKind kind) {
  return kind == log::RecordKind::observation ? "observation" : "questionnaire response";
}

// The W3C trace id (32 hex) of a record's traceparent; empty when it has none or it is malformed
// (the log stores what intake gave it; a bad one must not stop processing).
std::string trace_id_of(const log::Record& record) {
  if (record.trace.empty()) return {};
  const auto context = observability::parse_traceparent(record.trace);
  return context ? context->trace_id_hex() : std::string();
}

}  // namespace

Worker::Worker(std::size_t index, std::size_t workers, std::size_t queue_capacity, const registry::Registry& registry,
               Counters& counters, RecordHook on_record, SpanOutput spans, LastReadingLookup last_reading)
    : index_(index),
      workers_(workers),
      registry_(registry),
      counters_(counters),
      on_record_(std::move(on_record)),
      spans_{spans.sink, spans.clock != nullptr ? spans.clock : &observability::SystemSpanClock::instance()},
      last_reading_(std::move(last_reading)),
      queue_(queue_capacity) {}

Worker::~Worker() {
  join();
}

void Worker::start() {
  thread_ = std::thread([this] {
    name_this_thread("vigil-pipe-" + std::to_string(index_));
    run();
  });
}

void Worker::post(Task task) {
  queue_.push(task);  // a few words: trivially copyable since records go by reference
}

void Worker::process_between_rounds(const log::Record& record) {
  process_live(record);
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

std::vector<SeqFinding> Worker::take_findings() {
  return std::exchange(findings_, {});
}

void Worker::run() {
  for (;;) {
    Task task = queue_.pop();
    switch (task.kind) {
      case Task::Kind::record:
        process_live(*task.record);
        break;
      case Task::Kind::warmup_record:
        process(*task.record, /*live=*/false);
        break;
      case Task::Kind::missing_scan:
        scan(task.now, task.monitoring_since);
        break;
      case Task::Kind::end_round:
        task.round_done->count_down();
        break;
      case Task::Kind::exit:
        return;
    }
  }
}

void Worker::process_live(const log::Record& record) {
  // The record's traceparent names the request's span; parsing it starts this span as its child.
  const auto context = spans_.sink != nullptr && !record.trace.empty()
                           ? observability::parse_traceparent(record.trace)
                           : std::nullopt;
  if (!context || !context->sampled()) {
    process(record, /*live=*/true);
    return;
  }
  observability::Span span;
  span.context = *context;
  span.kind = observability::SpanKind::internal;
  span.name = fmt::format("process {}", kind_name(record.kind));
  span.start_unix_nanos = spans_.clock->now_unix_nanos();
  const auto findings_before = findings_.size();
  const auto outcome = process(record, /*live=*/true);
  span.end_unix_nanos = spans_.clock->now_unix_nanos();
  static constexpr std::string_view kOutcomes[] = {"evaluated", "undecodable", "unknown_patient"};
  span.attribute("vigil.log.seq", static_cast<std::int64_t>(record.seq))
      .attribute("vigil.outcome", std::string(kOutcomes[static_cast<int>(outcome)]))
      .attribute("vigil.findings", static_cast<std::int64_t>(findings_.size() - findings_before));
  span.error = outcome == RecordOutcome::undecodable;
  spans_.sink->record(std::move(span));
}

RecordOutcome Worker::process(const log::Record& record, bool live) {
  if (live && on_record_) on_record_(index_, record);

  std::optional<domain::Observation> observation;
  std::optional<domain::QuestionnaireResponse> response;
  if (record.kind == log::RecordKind::observation) {
    observation = domain::decode_observation(record.payload);
  } else {
    response = domain::decode_questionnaire_response(record.payload);
  }
  // The log's patient id decides the partition; a payload naming another patient is corrupt.
  const std::string* decoded_patient = observation ? &observation->patient_id
                                       : response  ? &response->patient_id
                                                   : nullptr;
  if (decoded_patient == nullptr || *decoded_patient != record.patient_id) {
    skip_undecodable(record, live);
    return RecordOutcome::undecodable;
  }

  const auto patient = registry_.patient(record.patient_id);
  const auto protocol = patient ? registry_.protocol(patient->trial_id) : nullptr;
  if (!protocol) {
    if (live) counters_.unknown_patient.fetch_add(1, std::memory_order_relaxed);
    return RecordOutcome::unknown_patient;
  }

  const auto [at, inserted] = patients_.try_emplace(record.patient_id);
  Slot& slot = at->second;
  if (inserted && !flagged_without_state_.empty()) flagged_without_state_.erase(record.patient_id);
  auto findings = observation ? rules::evaluate(*protocol, patient->settings, slot.state, *observation)
                              : rules::evaluate(*protocol, patient->settings, slot.state, *response);
  if (!live) {
    counters_.warmup.fetch_add(1, std::memory_order_relaxed);
    return RecordOutcome::evaluated;
  }
  counters_.processed.fetch_add(1, std::memory_order_relaxed);
  if (findings.empty()) return RecordOutcome::evaluated;
  // Parsed only for records that raise something: most readings raise nothing.
  const std::string trace_id = trace_id_of(record);
  {
    const observability::LogScope ids({}, trace_id);
    spdlog::debug("pipeline: {} {} at log seq {} raised {} finding(s)", kind_name(record.kind), record.id,
                  record.seq, findings.size());
  }
  std::vector<std::string> trace_ids;
  if (!trace_id.empty()) trace_ids.push_back(trace_id);
  for (auto& finding : findings) {
    findings_.push_back(SeqFinding{
        record.seq,
        alerts::AlertContext{patient->trial_id, patient->site_id, patient->id, protocol->version, trace_ids},
        std::move(finding)});
  }
  return RecordOutcome::evaluated;
}

void Worker::skip_undecodable(const log::Record& record, bool live) {
  if (!live) return;  // counted and reported when it was first processed
  counters_.undecodable.fetch_add(1, std::memory_order_relaxed);
  if (!counters_.warned_undecodable.exchange(true)) {
    // Ids and sizes only: the payload holds clinical values.
    const std::string trace_id = trace_id_of(record);
    const observability::LogScope ids({}, trace_id);
    spdlog::warn(
        "pipeline: skipping undecodable {} at log seq {} (id {}, {} bytes); later ones are only counted",
        kind_name(record.kind), record.seq, record.id, record.payload.size());
  }
}

void Worker::scan(TimePoint now, TimePoint monitoring_since) {
  for (auto& [patient_id, slot] : patients_) {
    if (slot.missing_flagged_for && slot.missing_flagged_for == slot.state.last_reading()) continue;
    const auto patient = registry_.patient(patient_id);
    if (!patient || patient->status != registry::PatientStatus::enrolled) continue;
    const auto protocol = registry_.protocol(patient->trial_id);
    if (!protocol) continue;
    auto finding = rules::evaluate_missing(*protocol, slot.state, now);
    if (!finding) continue;
    slot.missing_flagged_for = slot.state.last_reading();
    findings_.push_back(SeqFinding{
        0, alerts::AlertContext{patient->trial_id, patient->site_id, patient->id, protocol->version},
        std::move(*finding)});
  }
  scan_without_state(now, monitoring_since);
}

void Worker::scan_without_state(TimePoint now, TimePoint monitoring_since) {
  std::vector<registry::Patient> silent;
  registry_.for_each_patient([&](const registry::Patient& p) {
    if (p.status != registry::PatientStatus::enrolled || partition_of(p.id, workers_) != index_) return;
    if (patients_.contains(p.id) || flagged_without_state_.contains(p.id)) return;
    silent.push_back(p);
  });
  for (const auto& patient : silent) {
    const auto protocol = registry_.protocol(patient.trial_id);
    if (!protocol) continue;
    std::optional<TimePoint> last;
    try {
      if (last_reading_) last = last_reading_(patient.id);
    } catch (const std::exception& e) {
      if (!std::exchange(warned_lookup_, true)) {
        spdlog::warn("pipeline: cannot read a patient's last reading for the missing-data scan ({}); "
                     "such patients are tried again on the next scan",
                     e.what());
      }
      continue;
    }
    // Never sent: silent since enrolment, or since this node started monitoring when the patient
    // was enrolled before it (a node's first start would otherwise flag every earlier enrolment).
    auto finding = last ? rules::check_missing_data(*last, now, protocol->missing_data_gap)
                        : rules::check_never_sent(std::max(patient.enrolled_at, monitoring_since), now,
                                                  protocol->missing_data_gap);
    if (!finding) continue;
    flagged_without_state_.insert(patient.id);
    findings_.push_back(SeqFinding{
        0, alerts::AlertContext{patient.trial_id, patient.site_id, patient.id, protocol->version},
        std::move(*finding)});
  }
}

}  // namespace vigil::pipeline::detail
