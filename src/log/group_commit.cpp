#include "log/group_commit.h"

#include <algorithm>
#include <utility>

#include "common/sched_slice.h"
#include "common/thread_name.h"
#include "log/log_metrics.h"

namespace vigil::log {
namespace {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

double seconds(Nanos d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

GroupCommitter::GroupCommitter(GroupWriter& writer, GroupCommitOptions options, std::uint64_t last_seq)
    : writer_(writer),
      options_(options),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock()),
      ticker_(options_.ticker != nullptr ? *options_.ticker : SteadyTicker::instance()),
      last_seq_(last_seq) {
  if (options_.metrics == nullptr) return;
  observability::MetricsRegistry& registry = *options_.metrics;
  metrics_ = std::make_unique<LogMetrics>(registry);
  scrape_guard_ = std::make_unique<ScrapeGuard<GroupCommitter>>(*this);
  registry.gauge_callback("vigil_log_queue_items", "Items accepted by the log and not yet acknowledged",
                          scrape_guard_->callback([](const GroupCommitter& log) {
                            return static_cast<double>(log.stats().queue_depth);
                          }));
  registry.gauge_callback(
      "vigil_log_last_seq", "Highest durable sequence number of the intake log",
      scrape_guard_->callback([](const GroupCommitter& log) { return static_cast<double>(log.last_seq()); }));
}

GroupCommitter::~GroupCommitter() {
  close();
}

void GroupCommitter::start() {
  thread_ = std::thread([this] {
    name_this_thread("vigil-log");
    if (options_.writer_slice.count() != 0)
      (void)set_this_thread_slice(options_.writer_slice);  // best effort
    run_writer();
  });
}

bool GroupCommitter::try_append(std::vector<AppendItem> items, Log::DoneCallback done) {
  const Nanos enqueued = metrics_ ? ticker_.now() : Nanos{};
  {
    std::lock_guard lock(mutex_);
    if (closing_) return false;
    // outstanding_items_ never exceeds the bound, so the subtraction cannot wrap.
    if (items.size() > options_.max_queued_items - outstanding_items_) {
      ++stats_.rejected;
      return false;
    }
    outstanding_items_ += items.size();
    queue_.push_back(Pending{std::move(items), std::move(done), enqueued});
  }
  work_cv_.notify_one();
  return true;
}

void GroupCommitter::run_writer() {
  const std::size_t max_group = std::max<std::size_t>(options_.max_group_items, 1);
  std::deque<Pending> group;
  for (;;) {
    std::size_t items = 0;
    {
      std::unique_lock lock(mutex_);
      work_cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) {  // closing, and everything accepted has been answered
        stopped_ = true;
        break;
      }
      // Everything queued meanwhile goes into this group: that is the group commit.
      while (!queue_.empty() && (group.empty() || items + queue_.front().items.size() <= max_group)) {
        items += queue_.front().items.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_group(group, items);
    group.clear();
  }
  appended_cv_.notify_all();  // wake consumers: nothing more will come
}

void GroupCommitter::commit_group(std::deque<Pending>& group, std::size_t items) {
  const Nanos started = ticker_.now();
  GroupWrite result;
  if (items == 0) {  // only empty batches: nothing to make durable
    result.ok = true;
    result.outcomes.resize(group.size());
  } else {
    std::vector<const std::vector<AppendItem>*> batches;
    batches.reserve(group.size());
    for (const Pending& p : group) batches.push_back(&p.items);
    result = writer_.write_group(batches, clock_.now());
  }
  const Nanos finished = ticker_.now();
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(finished - started);
  const bool durable = result.ok && items > 0;
  // A group of duplicates only writes nothing and syncs nothing.
  if (metrics_ && durable && result.appended > 0) {
    metrics_->group_commit_items.observe(static_cast<double>(items));
    metrics_->commit_seconds.observe(seconds(finished - started));
    metrics_->fsyncs.inc();
  }

  {
    std::lock_guard lock(mutex_);
    outstanding_items_ -= items;
    if (durable) {
      last_seq_ = result.last_seq;
      stats_.appended += result.appended;
      stats_.duplicates += result.duplicates;
      ++stats_.commits;
      grouped_items_ += items;
      stats_.avg_group_items = static_cast<double>(grouped_items_) / static_cast<double>(stats_.commits);
      stats_.last_group_items = items;
      stats_.last_commit_latency = latency;
    } else if (!result.ok) {
      ++stats_.failed_commits;
    }
  }
  if (result.ok) appended_cv_.notify_all();
  writer_.group_published(durable);

  for (std::size_t i = 0; i < group.size(); ++i) {
    AppendResult r;
    if (result.ok) {
      r.items = std::move(result.outcomes[i]);
      if (metrics_ && !group[i].items.empty()) {
        metrics_->append_seconds.observe(seconds(finished - group[i].enqueued));
      }
    } else {
      r.status = AppendStatus::io_error;
      r.error = result.error;
    }
    if (group[i].done) group[i].done(std::move(r));
  }
  writer_.after_group(durable);
}

bool GroupCommitter::wait_for(std::uint64_t after_seq, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  appended_cv_.wait_for(lock, timeout, [&] { return last_seq_ > after_seq || stopped_; });
  return last_seq_ > after_seq;
}

std::uint64_t GroupCommitter::last_seq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

LogStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  LogStats s = stats_;
  s.queue_depth = outstanding_items_;
  return s;
}

void GroupCommitter::close() {
  // call_once: concurrent callers all return only after the flush.
  std::call_once(close_once_, [this] {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    work_cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    } else {  // never started: nothing was queued that a writer must flush
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    appended_cv_.notify_all();
  });
}

}  // namespace vigil::log
