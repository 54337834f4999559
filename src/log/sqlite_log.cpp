#include "log/sqlite_log.h"

#include <utility>

#include "log/sqlite_readers.h"
#include "log/sqlite_writer.h"

namespace vigil::log {

SqliteLog::SqliteLog(const std::filesystem::path& file, SqliteLogOptions options)
    : options_(std::move(options)),
      writer_(std::make_unique<SqliteWriter>(file, options_.vfs)),
      checkpointer_(std::make_unique<SqliteCheckpointer>(file, options_.vfs, options_.checkpoint_frames,
                                                         options_.before_checkpoint_for_test)),
      readers_(std::make_unique<SqliteReaders>(file, options_.vfs)),
      committer_(std::make_unique<GroupCommitter>(
          static_cast<GroupWriter&>(*this),
          GroupCommitOptions{options_.max_queued_items, options_.max_group_items, options_.clock,
                             options_.ticker, options_.metrics, options_.writer_slice},
          writer_->last_seq())) {
  committer_->start();
}

SqliteLog::~SqliteLog() {
  close();
}

bool SqliteLog::try_append(std::vector<AppendItem> items, DoneCallback done) {
  return committer_->try_append(std::move(items), std::move(done));
}

GroupWrite SqliteLog::write_group(const std::vector<const std::vector<AppendItem>*>& batches,
                                  TimePoint appended_at) {
  return writer_->write_group(batches, appended_at, options_.before_commit_for_test);
}

void SqliteLog::group_published(bool durable) {
  // Before the callbacks, so that checkpoint_stats() is current once a batch is acknowledged.
  if (durable) checkpointer_->committed(writer_->wal_frames());
}

void SqliteLog::after_group(bool durable) {
  if (!durable) return;
  const int frames = writer_->wal_frames();
  if (frames > 0 && static_cast<std::size_t>(frames) >= options_.wal_limit_frames) {
    // Reads wait meanwhile (a few milliseconds, once per wal_limit_frames): readers that keep
    // overlapping would otherwise hold the RESTART off until its busy timeout. If reads outlast
    // the bound, the checkpoint still runs and its busy timeout covers the rest. Failures are
    // counted in checkpoint_stats() and retried after the next commit; the group is durable
    // whatever happens here.
    const SqliteReaders::Pause paused(*readers_, std::chrono::milliseconds(5000));
    checkpointer_->checkpoint_on(writer_->connection(), SQLITE_CHECKPOINT_RESTART);
  }
}

std::vector<Record> SqliteLog::read(std::uint64_t after_seq, std::size_t max) {
  return readers_->read(after_seq, max);
}

std::vector<Record> SqliteLog::latest(std::string_view patient_id, std::string_view code, TimePoint since,
                                      std::size_t limit) {
  return readers_->latest(patient_id, code, since, limit);
}

bool SqliteLog::wait_for(std::uint64_t after_seq, std::chrono::milliseconds timeout) {
  return committer_->wait_for(after_seq, timeout);
}

std::uint64_t SqliteLog::last_seq() const {
  return committer_->last_seq();
}

LogStats SqliteLog::stats() const {
  return committer_->stats();
}

void SqliteLog::close() {
  committer_->close();
  checkpointer_->stop();
}

CheckpointStats SqliteLog::checkpoint_stats() const {
  return checkpointer_->stats();
}

}  // namespace vigil::log
