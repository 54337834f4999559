#pragma once
// The files of the segment log (format in log/segment_codec.h): a folder of segment files named by
// their first seq, a writer that appends one group of frames per call with one fdatasync, and
// readers that find records by seq (sparse index) or walk one patient's chain newest first.
//
// Recovery (constructor): the segments it reads have every frame's checksum verified. A torn or
// corrupt tail of the LAST segment is what a crash during a write leaves (nothing in it was ever
// acknowledged, since a group is acknowledged only after its fdatasync): it is cut off. Anything
// invalid in an earlier segment it reads, a gap in the seqs or a foreign file is corruption: the
// constructor throws rather than serve a log with a hole. It reads the newest segment, every
// segment with a record to visit (SegmentStoreOptions::visit_since, visit_newest) and every one
// without a valid summary (log/segment_summary.h, written when a segment is sealed, and by
// recovery for a sealed segment that lacks one); the others come from their summaries, so that
// start-up reads what the dedupe window needs instead of the whole log, as Kafka recovers only
// the segments after its recovery point. A frame of a segment start-up did not read is verified
// when it is read (read() and read_at() throw on a bad checksum).
//
// Durability: append() returns only after fdatasync() of the segment (and, when it rolled to a new
// segment, of the new file and the folder). After a failed write or sync the store truncates the
// group away and refuses every later append (a failed fsync may have dropped dirty pages: only a
// restart, which re-verifies the files, may trust them again).
//
// Zeroed ahead. fdatasync() of a write that grows the file must also commit the new size through
// the file system's journal; overwriting blocks already written does not, and takes about half
// the time (docs/benchmarks.md, the 2026-12-03 section). So the newest segment is extended with
// zeros `zero_ahead_bytes` at a time, synced once, and groups are then written over the zeros.
// Zeros are never a valid frame: recovery ends the newest segment at the first of them, and keeps
// them when the rest of the file is zeros too, so that a restart writes over the zeros already
// synced instead of making them again (a tail with anything else is cut, like a torn tail). A
// segment is truncated to its last frame before the next one is created, so sealed segments hold
// frames only.
//
// New segments come zeroed. A thread zeroes and syncs the next segment's file ahead of need
// (log/spare_segment.h, which says why and how it is paced), so that the writer, when it rolls,
// only writes the header into it, syncs that and renames it; zeroing ahead on the writer remains
// for the log's first segment, for a group larger than the spare's slack, and when the spare is
// not complete yet. The spare's header is synced before the rename, so a file with a segment's name
// always has a valid header; the spare itself (`kSpareName`) is scratch, removed at start-up.
//
// Thread safety: append() from one thread at a time (the log's writer); read(), read_at(),
// chain_head() and last_seq() from any thread, concurrently with it. Readers see only synced
// frames.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "log/log.h"
#include "log/segment_codec.h"
#include "log/segment_summary.h"
#include "log/spare_segment.h"

namespace vigil::log {

struct FileHandle;

struct SegmentStoreOptions {
  // A segment is closed, and the next group starts a new one, once it holds this many bytes.
  std::size_t segment_bytes = 64u << 20;
  // The newest segment is extended with zeros this many bytes ahead of its last frame (see Zeroed
  // ahead); 0: every group grows the file, and no spare is prepared. A spare has segment_bytes
  // plus this many bytes, so that the group that passes segment_bytes still lands on zeros.
  std::size_t zero_ahead_bytes = 1u << 20;
  // Start-up visits (Visitor) the records of every segment holding a record appended at or after
  // visit_since that is also among the newest visit_newest records; the defaults visit all. Older
  // sealed segments with a summary are not read (Recovery).
  TimePoint visit_since{};
  std::uint64_t visit_newest = std::numeric_limits<std::uint64_t>::max();
  // TEST ONLY: called instead of fdatasync on segment data; return false to simulate a failure.
  std::function<bool()> sync_for_test;
};

class SegmentStore {
 public:
  // The spare segment's file name in the log's folder (see New segments come zeroed).
  static constexpr const char* kSpareName = "next.spare";

  // Called during recovery for every record, in seq order.
  using Visitor = std::function<void(const Record&)>;

  // Opens (creating) `dir`, locks it against a second writer, and recovers. Throws
  // std::runtime_error naming the folder or file and why.
  SegmentStore(const std::filesystem::path& dir, SegmentStoreOptions options, const Visitor& visit);
  ~SegmentStore();
  SegmentStore(const SegmentStore&) = delete;
  SegmentStore& operator=(const SegmentStore&) = delete;

  struct NewRecord {
    const AppendItem* item = nullptr;
    std::uint64_t seq = 0;  // must continue last_seq() densely, in order
  };
  // Writes the records as one group and syncs. Returns an error message, or nullopt when durable.
  std::optional<std::string> append(std::span<const NewRecord> records, TimePoint appended_at);

  [[nodiscard]] std::uint64_t last_seq() const;
  // TEST ONLY: blocks until the spare's thread has nothing left to do (log/spare_segment.h).
  void wait_for_spare_for_test();

  // Records with seq > after_seq, in order, at most max. Throws std::runtime_error on read errors.
  // `recycled`: records the caller is done with, whose strings the read reuses (Log::read).
  std::vector<Record> read(std::uint64_t after_seq, std::size_t max, std::vector<Record> recycled = {}) const;
  // The record `seq`, or nullopt past the end. Unlike read(), leaves the sequential-read hint alone.
  std::optional<Record> read_one(std::uint64_t seq) const;
  // The newest record of `patient_id` (seq 0 when none).
  [[nodiscard]] segment::ChainLink chain_head(std::string_view patient_id) const;
  // The frame at `link` (as chain_head or DecodedFrame::prev give it). Throws on read errors.
  segment::DecodedFrame read_at(segment::ChainLink link) const;

 private:
  struct Segment;
  struct Hint {
    std::uint64_t next_seq = 0;
    std::shared_ptr<Segment> segment;
    std::uint64_t offset = 0;
  };

  void recover(const Visitor& visit);
  // False when a summary's heads, needed, did not verify: the caller starts again without summaries.
  bool recover_files(const std::vector<std::pair<std::uint64_t, std::filesystem::path>>& files,
                     const std::vector<std::uint64_t>& summarised, const Visitor& visit);
  [[nodiscard]] std::filesystem::path summary_path(std::uint64_t first_seq) const;
  // `size` bytes at `offset` of the summary of segment `first_seq`; nullopt when there are fewer.
  [[nodiscard]] std::optional<std::string> read_summary_bytes(std::uint64_t first_seq, std::uint64_t offset,
                                                              std::size_t size) const;
  // The summary of the sealed segment `first_seq` of `segment_size` bytes, when valid and its own.
  [[nodiscard]] std::optional<segment::SummaryMeta> read_summary_meta(std::uint64_t first_seq,
                                                                      std::uint64_t segment_size) const;
  [[nodiscard]] std::optional<segment::Heads> read_summary_heads(const segment::SummaryMeta& meta) const;
  // Writes the summary of `seg`, sealed, whose last record is last_seq_ (log/segment_summary.h);
  // on failure leaves none.
  void write_summary(const Segment& seg) const;
  std::vector<Record> read_impl(std::uint64_t after_seq, std::size_t max, bool use_hint,
                                std::vector<Record> recycled) const;
  void open_new_segment(std::uint64_t first_seq);
  [[nodiscard]] std::shared_ptr<Segment> segment_of(std::uint64_t seq) const;  // lock held
  bool sync(int fd) const;
  // Extends the newest segment with synced zeros when `needed` bytes would pass its end (Zeroed
  // ahead). False on a failed write or sync (errno set).
  bool zero_ahead(Segment& seg, std::uint64_t needed);
  // A descriptor of a sealed segment (path and first_seq are constant: no lock needed).
  static std::shared_ptr<FileHandle> open_sealed(const Segment& seg);

  const std::filesystem::path dir_;
  const SegmentStoreOptions options_;
  int lock_fd_ = -1;
  int dir_fd_ = -1;

  mutable std::shared_mutex mutex_;
  // Protected by mutex_ (the writer also reads them without it: it is the only one to change them).
  std::vector<std::shared_ptr<Segment>> segments_;
  std::unordered_map<std::string, segment::ChainLink> heads_;  // patient -> newest record
  std::uint64_t last_seq_ = 0;
  bool failed_ = false;  // writer only

  mutable std::mutex hint_mutex_;
  mutable Hint hint_;   // where the last read() stopped: sequential readers never rescan
  std::string buffer_;  // writer only: the group being encoded
  std::unique_ptr<SpareSegment> spare_;  // null when zero_ahead_bytes is 0
};

}  // namespace vigil::log
