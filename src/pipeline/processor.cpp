#include "pipeline/processor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <latch>
#include <stdexcept>

#include "common/thread_name.h"
#include "pipeline/partition.h"
#include "pipeline/pipeline_metrics.h"
#include "pipeline/worker.h"

namespace vigil::pipeline {
namespace {

using detail::Task;

// `record` must stay as it is until the round has finished (finish_round()).
void dispatch(const std::vector<std::unique_ptr<detail::Worker>>& workers, Task::Kind kind,
              const log::Record& record) {
  detail::Worker& worker = *workers[partition_of(record.patient_id, workers.size())];
  Task task;
  task.kind = kind;
  task.record = &record;
  worker.post(task);
}

void raise_max(std::atomic<std::int64_t>& max, std::int64_t value) {
  std::int64_t seen = max.load(std::memory_order_relaxed);
  while (value > seen && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

ProcessorOptions checked(ProcessorOptions options) {
  if (options.workers == 0) throw std::invalid_argument("pipeline: workers must be at least 1");
  if (options.batch == 0) throw std::invalid_argument("pipeline: batch must be at least 1");
  if (options.worker_queue == 0) throw std::invalid_argument("pipeline: worker_queue must be at least 1");
  if (options.position_commit_records == 0) {
    throw std::invalid_argument("pipeline: position_commit_records must be at least 1");
  }
  return options;
}

}  // namespace

template <typename Fn>
bool Processor::retrying(const char* what, Fn&& fn) {
  auto backoff = options_.retry_backoff;
  for (;;) {
    try {
      fn();
      return true;
    } catch (const std::exception& e) {
      counters_->store_failures.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("pipeline: cannot {}: {}; retrying in {} ms", what, e.what(), backoff.count());
    }
    std::unique_lock lock(stop_mu_);
    if (stop_cv_.wait_for(lock, backoff, [&] { return stop_requested(); })) {
      spdlog::warn("pipeline: stopped before it could {}", what);
      return false;
    }
    backoff = std::min(backoff * 2, options_.max_retry_backoff);
  }
}

Processor::Processor(ProcessorOptions options, log::Log& log, const registry::Registry& registry,
                     alerts::AlertService& alerts, const Clock& clock)
    : options_(checked(std::move(options))),
      log_(log),
      registry_(registry),
      alerts_(alerts),
      clock_(clock),
      counters_(std::make_unique<detail::Counters>()) {
  workers_.reserve(options_.workers);
  for (std::size_t i = 0; i < options_.workers; ++i) {
    workers_.push_back(std::make_unique<detail::Worker>(
        i, options_.workers, options_.worker_queue, registry_, *counters_, options_.on_record_for_test,
        detail::SpanOutput{options_.spans, options_.span_clock}, options_.last_reading));
  }
  if (options_.metrics != nullptr) {
    metrics_ = std::make_unique<detail::PipelineMetrics>(*options_.metrics);
    pending_runs_ = std::make_unique<detail::AppendedRuns>();
    scrape_guard_ = std::make_unique<log::ScrapeGuard<Processor>>(*this);
    options_.metrics->gauge_callback(
        "vigil_pipeline_lag_records", "Intake log records not yet committed by the pipeline",
        scrape_guard_->callback([](const Processor& p) { return static_cast<double>(p.stats().lag); }));
  }
}

Processor::~Processor() {
  stop();
}

void Processor::start() {
  if (started_ || stopped_) return;
  started_ = true;
  monitoring_since_ = clock_.now();
  // spdlog creates its registry and default logger on first use. Do it here, before the threads:
  // otherwise the workers' first log lines race to create them, and since libspdlog is not built
  // with ThreadSanitizer, TSan cannot see the static-initialisation guard and reports a race.
  (void)spdlog::default_logger_raw();
  try {
    for (auto& worker : workers_) worker->start();
    consumer_ = std::thread([this] {
      name_this_thread("vigil-consumer");
      run_consumer();
    });
  } catch (...) {
    shut_down_workers();
    for (auto& worker : workers_) worker->join();
    stopped_ = true;
    throw;
  }
}

void Processor::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(stop_mu_);
    stop_requested_.store(true, std::memory_order_release);
  }
  stop_cv_.notify_all();
  if (consumer_.joinable()) consumer_.join();  // it tells the workers to exit as it leaves
  for (auto& worker : workers_) worker->join();
}

ProcessorStats Processor::stats() const {
  const auto& c = *counters_;
  constexpr auto relaxed = std::memory_order_relaxed;
  ProcessorStats s;
  // First, with acquire: the counters read below then include every round up to the position.
  s.position = c.position.load(std::memory_order_acquire);
  s.records_processed = c.processed.load(relaxed);
  s.undecodable = c.undecodable.load(relaxed);
  s.unknown_patient = c.unknown_patient.load(relaxed);
  s.records_skipped = s.undecodable + s.unknown_patient;
  s.warmup_records = c.warmup.load(relaxed);
  s.findings = c.findings.load(relaxed);
  s.rounds = c.rounds.load(relaxed);
  s.missing_data_scans = c.scans.load(std::memory_order_acquire);
  s.store_failures = c.store_failures.load(relaxed);
  const std::uint64_t last = log_.last_seq();
  s.lag = last > s.position ? last - s.position : 0;
  s.last_latency_ms = c.last_latency_ms.load(relaxed);
  s.max_latency_ms = c.max_latency_ms.load(relaxed);
  return s;
}

void Processor::run_consumer() {
  if (const auto position = load_position()) {
    // The first scan is scheduled before the position shows in stats(): a caller that saw the
    // position and then moves the clock finds the scan due.
    next_scan_ = clock_.now() + options_.missing_data_scan;
    publish_position(*position);
    read_to_ = *position;
    warm_up(position_);
    const bool scanning = options_.missing_data_scan > Duration::zero();
    while (!stop_requested()) {
      if (scanning && clock_.now() >= next_scan_) {
        if (!commit_pending() || !scan_missing_data()) break;
        continue;
      }
      // The previous round's records go back to the log, which decodes into their strings.
      std::vector<log::Record> records;
      if (!retrying("read the intake log", [&] {
            records = log_.read_reusing(read_to_, options_.batch, std::move(done_records_));
          })) {
        break;
      }
      if (records.empty()) {
        if (!wait_or_flush()) break;
        continue;
      }
      quiet_since_.reset();
      const bool ok = run_round(records);
      done_records_ = std::move(records);
      if (!ok) break;
    }
    // A clean stop stores the deferred position too, so that a restart replays nothing.
    commit_pending();
  }
  shut_down_workers();
}

std::optional<std::uint64_t> Processor::load_position() {
  std::uint64_t position = 0;
  if (!retrying("read the committed position",
                [&] { position = alerts_.consumer_position(options_.consumer); })) {
    return std::nullopt;
  }
  if (const auto last = log_.last_seq(); position > last) {
    spdlog::warn(
        "pipeline: committed position {} is past the end of the intake log ({}): log records up to {} "
        "will not be processed (was the log replaced?)",
        position, last, position);
  }
  return position;
}

void Processor::warm_up(std::uint64_t position) {
  std::uint64_t from = position > options_.warmup_records ? position - options_.warmup_records : 0;
  if (from >= position) return;
  spdlog::info("pipeline: warming up patient state from log records {}..{}", from + 1, position);
  while (from < position && !stop_requested()) {
    std::vector<log::Record> records;
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(options_.batch, position - from));
    if (!retrying("read the intake log for warm-up", [&] { records = log_.read(from, want); })) break;
    if (records.empty()) break;  // the log ends before the position (warned about in load_position)
    for (const auto& record : records) {
      if (record.seq > position) {
        from = position;
        break;
      }
      from = record.seq;
      dispatch(workers_, Task::Kind::warmup_record, record);
    }
    finish_round();  // warm-up raises nothing; this waits until the workers are done with `records`
  }
}

bool Processor::run_round(const std::vector<log::Record>& records) {
  if (pending_.records == 0) pending_.first_seq = records.front().seq;
  pending_.last_seq = records.back().seq;
  pending_.records += records.size();
  const std::size_t count = records.size();
  pending_appended_ = records.back().appended_at;
  detail::AppendedRuns appended;
  const bool inline_round = count <= options_.inline_round_records;  // see Small rounds in the header
  for (const auto& record : records) {
    if (metrics_) appended.add(record.appended_at);
    if (inline_round) {
      workers_[partition_of(record.patient_id, workers_.size())]->process_between_rounds(record);
    } else {
      dispatch(workers_, Task::Kind::record, record);
    }
  }
  Findings findings = inline_round ? collect_findings() : finish_round();
  read_to_ = pending_.last_seq;
  const bool found = !findings.empty();
  if (found) {
    pending_findings_.insert(pending_findings_.end(), std::make_move_iterator(findings.begin()),
                             std::make_move_iterator(findings.end()));
    // The round's records count as processed when their findings are stored (metrics at commit).
    if (metrics_) pending_runs_->add(appended);
  }
  // Findings are stored once their linger is over (Commit linger); a round without findings
  // changes nothing but the position, which can wait longer (Position commits).
  const bool linger_over =
      !pending_findings_.empty() && std::chrono::steady_clock::now() - last_commit_ >= options_.commit_linger;
  const bool position_due = read_to_ - position_ >= options_.position_commit_records;
  if ((linger_over || position_due) && !commit_pending()) return false;

  if (!found) {
    const TimePoint done = clock_.now();  // the round has no effects to store
    if (metrics_) metrics_->record_round(appended, count, done);
  }
  const auto latency =
      std::max(Duration::zero(), std::chrono::duration_cast<Duration>(clock_.now() - pending_appended_));
  counters_->last_latency_ms.store(latency.count(), std::memory_order_relaxed);
  raise_max(counters_->max_latency_ms, latency.count());
  return true;
}

bool Processor::wait_or_flush() {
  if (pending_.records == 0) {
    log_.wait_for(read_to_, options_.idle_wait);
    return true;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!pending_findings_.empty()) {
    // Caught up with findings in their linger: store them when it is over, unless the log brings
    // more first (which join them).
    const auto due = last_commit_ + options_.commit_linger;
    if (now >= due) return commit_pending();
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - now);
    log_.wait_for(read_to_, std::min(options_.idle_wait, left));
    return true;
  }
  // Caught up with a deferred position: store it once the log has been quiet for
  // position_flush_wait, waiting in slices of idle_wait so that stop() is seen.
  if (!quiet_since_) quiet_since_ = now;
  const auto quiet = std::chrono::duration_cast<std::chrono::milliseconds>(now - *quiet_since_);
  if (quiet >= options_.position_flush_wait) {
    quiet_since_.reset();
    return commit_pending();
  }
  log_.wait_for(read_to_, std::min(options_.idle_wait, options_.position_flush_wait - quiet));
  return true;
}

bool Processor::commit_pending() {
  if (pending_.records == 0) return true;
  RoundInfo info = pending_;
  info.kind = RoundInfo::Kind::records;
  if (!commit(pending_findings_, info)) return false;
  last_commit_ = std::chrono::steady_clock::now();
  const TimePoint committed = clock_.now();
  info.latency =
      std::max(Duration::zero(), std::chrono::duration_cast<Duration>(committed - pending_appended_));
  counters_->rounds.fetch_add(1, std::memory_order_relaxed);
  if (metrics_ && !pending_runs_->runs().empty()) {
    metrics_->record_round(*pending_runs_, pending_runs_->records(), committed);
    pending_runs_->clear();
  }
  if (options_.on_round) options_.on_round(info);
  publish_position(info.last_seq);
  pending_ = RoundInfo{};
  pending_findings_.clear();
  return true;
}

bool Processor::scan_missing_data() {
  const TimePoint now = clock_.now();
  for (auto& worker : workers_) {
    Task task;
    task.kind = Task::Kind::missing_scan;
    task.now = now;
    task.monitoring_since = monitoring_since_;
    worker->post(task);
  }
  const Findings findings = finish_round();
  next_scan_ = now + options_.missing_data_scan;
  if (!findings.empty()) {
    RoundInfo info;
    info.kind = RoundInfo::Kind::missing_data_scan;
    info.first_seq = position_;  // == read_to_: the consumer stored the deferred position first
    info.last_seq = position_;
    if (!commit(findings, info)) return false;
    if (options_.on_round) options_.on_round(info);
  }
  counters_->scans.fetch_add(1, std::memory_order_release);  // after its alerts, like the position
  return true;
}

Processor::Findings Processor::finish_round() {
  // Every worker empties its queue up to this marker, so when the latch opens the round is done.
  std::latch done(static_cast<std::ptrdiff_t>(workers_.size()));
  for (auto& worker : workers_) {
    Task task;
    task.kind = Task::Kind::end_round;
    task.round_done = &done;
    worker->post(task);
  }
  done.wait();
  return collect_findings();
}

Processor::Findings Processor::collect_findings() {
  std::vector<detail::SeqFinding> tagged;
  for (auto& worker : workers_) {
    auto part = worker->take_findings();
    std::move(part.begin(), part.end(), std::back_inserter(tagged));
  }
  // Each worker's part is in log order; merging by seq restores the log order across workers.
  std::stable_sort(tagged.begin(), tagged.end(),
                   [](const detail::SeqFinding& a, const detail::SeqFinding& b) { return a.seq < b.seq; });
  Findings findings;
  findings.reserve(tagged.size());
  for (auto& t : tagged) findings.emplace_back(std::move(t.context), std::move(t.finding));
  return findings;
}

bool Processor::commit(const Findings& findings, RoundInfo& info) {
  // A round of records is stored with its position and can be derived again from the log (see
  // AlertStore::Durability), so it is not fsynced. A missing-data scan's alerts are fsynced: they
  // come from the clock, not from records, and a replay would raise them only a scan later.
  const auto durability = info.kind == RoundInfo::Kind::missing_data_scan
                              ? alerts::AlertStore::Durability::fsync
                              : alerts::AlertStore::Durability::replayable;
  std::vector<alerts::AlertEvent> events;
  std::size_t attempts = 0;
  const bool stored = retrying("store the round's alerts", [&] {
    ++attempts;
    events =
        alerts_.apply(findings, std::make_pair(options_.consumer, info.last_seq), clock_.now(), durability);
  });
  if (!stored) return false;  // uncommitted: the next start replays the round
  counters_->findings.fetch_add(findings.size(), std::memory_order_relaxed);
  info.findings = findings.size();
  info.alert_events = events.size();
  info.store_attempts = attempts;
  return true;
}

void Processor::publish_position(std::uint64_t seq) {
  position_ = seq;
  if (metrics_) metrics_->set_position(seq);
  // Release: whoever sees the position also sees the counters and hook calls of the round.
  counters_->position.store(seq, std::memory_order_release);
}

void Processor::shut_down_workers() {
  for (auto& worker : workers_) {
    Task task;
    task.kind = Task::Kind::exit;
    worker->post(task);
  }
}

}  // namespace vigil::pipeline
