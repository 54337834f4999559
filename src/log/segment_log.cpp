#include "log/segment_log.h"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace vigil::log {
namespace {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

// The outcome of an item whose id the record `seq` already holds.
ItemOutcome taken(std::uint64_t seq, bool same) {
  return ItemOutcome{seq, same, !same};
}

}  // namespace

SegmentLog::SegmentLog(const std::filesystem::path& dir, SegmentLogOptions options)
    : options_(std::move(options)),
      dedupe_(std::make_unique<DedupeWindow>(options_.dedupe_window, options_.dedupe_max_ids)) {
  const Clock& clock = options_.clock != nullptr ? *options_.clock : system_clock();
  const TimePoint horizon = clock.now() - options_.dedupe_window;
  // Start-up reads only the segments that can hold ids of the dedupe window; older ones come from
  // their summaries.
  SegmentStoreOptions store_options{options_.segment_bytes, options_.zero_ahead_bytes, horizon,
                                    options_.dedupe_max_ids, options_.sync_for_test};
  store_ = std::make_unique<SegmentStore>(dir, std::move(store_options), [&](const Record& r) {
    if (r.appended_at >= horizon) {
      dedupe_->insert(DedupeWindow::hash(r.id), r.seq, r.appended_at);
    }
  });
  committer_ = std::make_unique<GroupCommitter>(
      static_cast<GroupWriter&>(*this),
      GroupCommitOptions{options_.max_queued_items, options_.max_group_items, options_.clock, options_.ticker,
                         options_.metrics, options_.writer_slice},
      store_->last_seq());
  committer_->start();
}

SegmentLog::~SegmentLog() {
  close();
}

bool SegmentLog::try_append(std::vector<AppendItem> items, DoneCallback done) {
  return committer_->try_append(std::move(items), std::move(done));
}

GroupWrite SegmentLog::write_group(const std::vector<const std::vector<AppendItem>*>& batches,
                                   TimePoint appended_at) {
  GroupWrite result;
  try {
    dedupe_->expire(appended_at);
    std::vector<SegmentStore::NewRecord> fresh;
    std::vector<std::uint64_t> fresh_hashes;
    // Ids new in this group, with their seq and the item that took them.
    std::unordered_map<std::string_view, std::pair<std::uint64_t, const AppendItem*>> in_group;
    std::uint64_t next = store_->last_seq() + 1;
    // Every id's hash first, so that each lookup can ask ahead for the later ones' slots.
    std::vector<std::uint64_t> hashes;
    for (const std::vector<AppendItem>* batch : batches) {
      for (const AppendItem& item : *batch) hashes.push_back(DedupeWindow::hash(item.id));
    }
    std::size_t k = 0;  // index into hashes
    result.outcomes.reserve(batches.size());
    for (const std::vector<AppendItem>* batch : batches) {
      std::vector<ItemOutcome>& outcomes = result.outcomes.emplace_back(batch->size());
      for (std::size_t i = 0; i < batch->size(); ++i, ++k) {
        const AppendItem& item = (*batch)[i];
        dedupe_->prefetch_ahead(hashes, k);
        if (auto g = in_group.find(item.id); g != in_group.end()) {
          outcomes[i] = taken(g->second.first, same_content(item, *g->second.second));
          ++result.duplicates;
          continue;
        }
        const std::uint64_t h = hashes[k];
        if (auto candidate = dedupe_->find(h)) {
          std::optional<Record> original = store_->read_one(*candidate);
          if (original && original->id == item.id) {
            outcomes[i] = taken(*candidate, same_content(item, *original));
            ++result.duplicates;
            continue;
          }
        }
        outcomes[i] = ItemOutcome{next, false};
        in_group.emplace(item.id, std::pair{next, &item});
        fresh.push_back(SegmentStore::NewRecord{&item, next++});
        fresh_hashes.push_back(h);
      }
    }
    if (options_.before_commit_for_test) options_.before_commit_for_test();
    if (auto error = store_->append(fresh, appended_at)) {
      return GroupWrite{false, std::move(*error), {}, 0, 0, 0};
    }
    // The group's write went through the cache since the lookups: ask for the slots again, ahead.
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      dedupe_->prefetch_ahead(fresh_hashes, i);
      dedupe_->insert(fresh_hashes[i], fresh[i].seq, appended_at);
    }
    result.appended = fresh.size();
  } catch (const std::exception& e) {  // a read of the log failed while checking a duplicate
    return GroupWrite{false, e.what(), {}, 0, 0, 0};
  }
  result.ok = true;
  result.last_seq = store_->last_seq();
  return result;
}

std::vector<Record> SegmentLog::read(std::uint64_t after_seq, std::size_t max) {
  return store_->read(after_seq, max);
}

std::vector<Record> SegmentLog::read_reusing(std::uint64_t after_seq, std::size_t max,
                                             std::vector<Record> recycled) {
  return store_->read(after_seq, max, std::move(recycled));
}

std::vector<Record> SegmentLog::latest(std::string_view patient_id, std::string_view code, TimePoint since,
                                       std::size_t limit) {
  if (limit == 0) return {};
  // A min-heap on (effective_time, seq): its top is the record that the next better one evicts.
  auto newer = [](const Record& a, const Record& b) {
    return std::tie(a.effective_time, a.seq) > std::tie(b.effective_time, b.seq);
  };
  std::vector<Record> best;
  for (segment::ChainLink link = store_->chain_head(patient_id); link.seq != 0;) {
    segment::DecodedFrame f = store_->read_at(link);
    Record& r = f.record;
    TimePoint needed = since;
    if (best.size() == limit) needed = std::max(needed, best.front().effective_time);
    // This record and every older one were appended no later than r.appended_at, so their
    // effective times are at most r.appended_at + max_future_skew.
    if (r.appended_at + options_.max_future_skew < needed) break;
    link = f.prev;
    if (r.kind != RecordKind::observation || (!code.empty() && r.code != code) || r.effective_time < since) {
      continue;
    }
    if (best.size() == limit) {
      if (!newer(r, best.front())) continue;
      std::pop_heap(best.begin(), best.end(), newer);
      best.pop_back();
    }
    best.push_back(std::move(r));
    std::push_heap(best.begin(), best.end(), newer);
  }
  std::sort(best.begin(), best.end(), newer);
  return best;
}

bool SegmentLog::wait_for(std::uint64_t after_seq, std::chrono::milliseconds timeout) {
  return committer_->wait_for(after_seq, timeout);
}

std::uint64_t SegmentLog::last_seq() const {
  return committer_->last_seq();
}

LogStats SegmentLog::stats() const {
  return committer_->stats();
}

void SegmentLog::close() {
  committer_->close();
}

}  // namespace vigil::log
