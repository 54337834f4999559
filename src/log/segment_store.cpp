#include "log/segment_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "log/file_io.h"

namespace vigil::log {
namespace {

using segment::DecodedFrame;
using segment::DecodeStatus;

constexpr std::size_t kChunk = 1u << 20;
constexpr std::size_t kSmallChunk = 4096;  // single-record reads: one page covers most frames
// One sparse index point per this many records: 0.06 bytes of memory per record, and a read
// that does not continue the previous one scans at most this many frames to its start.
constexpr std::uint64_t kSparseEvery = 256;
constexpr std::uint64_t kMaxSegmentBytes = 1u << 30;  // offsets are u32, groups go past the bound

std::string errno_text() {
  return std::error_code(errno, std::generic_category()).message();
}

// Reads up to `size` bytes at `offset`; fewer only at end of file. Throws on errors.
std::size_t pread_some(int fd, char* out, std::size_t size, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("cannot read log segment: {}", errno_text()));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

// Whether the bytes [from, to) of the file are all zero. Throws on read errors.
bool all_zeros(int fd, std::uint64_t from, std::uint64_t to) {
  std::string buf(kChunk, '\0');
  for (std::uint64_t at = from; at < to;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, to - at));
    const std::size_t got = pread_some(fd, buf.data(), want, at);
    if (got != want) return false;  // shorter than its size: not ours to trust
    if (std::any_of(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got),
                    [](char c) { return c != 0; })) {
      return false;
    }
    at += got;
  }
  return true;
}

struct ScanEnd {
  std::uint64_t offset = 0;                // end of the last good frame handed to `fn` (or where fn stopped)
  DecodeStatus status = DecodeStatus::ok;  // ok: reached `to` (or fn stopped) on a frame boundary
};

// Decodes the frames in [from, to) in order, calling fn(frame, offset) until it returns false.
// `chunk`: bytes read at a time (more when one frame is larger).
template <class Fn>
ScanEnd scan(int fd, std::uint64_t from, std::uint64_t to, Fn&& fn, std::size_t chunk = kChunk) {
  std::string buf;
  std::uint64_t pos = from;  // file offset of buf[0]
  std::size_t used = 0;      // bytes of buf already decoded
  DecodedFrame f;            // one for the whole scan: fn may leave it strings with capacity
  for (;;) {
    segment::decode_frame(std::span<const char>(buf.data() + used, buf.size() - used), f);
    if (f.status == DecodeStatus::ok) {
      const std::uint64_t at = pos + used;
      used += f.size;
      if (!fn(f, at)) return {pos + used, DecodeStatus::ok};
      continue;
    }
    if (f.status == DecodeStatus::corrupt) return {pos + used, DecodeStatus::corrupt};
    if (pos + buf.size() >= to) {
      return {pos + used, used == buf.size() ? DecodeStatus::ok : DecodeStatus::incomplete};
    }
    buf.erase(0, used);
    pos += used;
    used = 0;
    const std::size_t frame = segment::frame_size(buf);
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(to - (pos + buf.size()), std::max(chunk, frame)));
    const std::size_t old = buf.size();
    buf.resize(old + want);
    buf.resize(old + pread_some(fd, buf.data() + old, want, pos + old));
    if (buf.size() == old) return {pos, DecodeStatus::incomplete};  // the file is shorter than `to`
  }
}

}  // namespace

// An open descriptor, closed when the last user lets go: a reader may still be using a segment's
// descriptor when the writer seals that segment and drops its own reference.
struct FileHandle {
  int fd = -1;
  explicit FileHandle(int f) : fd(f) {}
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle() {
    if (fd >= 0) ::close(fd);
  }
};

struct SegmentStore::Segment {
  std::uint64_t first_seq = 0;
  std::filesystem::path path;
  // Protected by the store's mutex_.
  // Open only while this is the newest segment: sealed ones are opened per read, so that a log of
  // thousands of segments does not hold thousands of descriptors.
  std::shared_ptr<FileHandle> file;
  std::uint64_t end = segment::kHeaderSize;                     // synced bytes
  std::uint64_t file_size = segment::kHeaderSize;               // newest segment: frames + zeros ahead
  TimePoint last_appended_at{};                                 // of its newest record
  std::vector<std::pair<std::uint64_t, std::uint64_t>> sparse;  // (seq, offset), ascending
};

SegmentStore::SegmentStore(const std::filesystem::path& dir, SegmentStoreOptions options,
                           const Visitor& visit)
    : dir_(dir), options_(std::move(options)) {
  auto fail = [&](std::string_view why) {
    return std::runtime_error(fmt::format("cannot open log folder '{}': {}", dir_.string(), why));
  };
  if (options_.segment_bytes == 0 || options_.segment_bytes > kMaxSegmentBytes) {
    throw fail(fmt::format("segment size must be 1 byte to {} bytes", kMaxSegmentBytes));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw fail(ec.message());
  lock_fd_ = ::open((dir_ / "LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw fail(errno_text());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    throw fail("another process holds its LOCK");
  }
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  try {
    if (dir_fd_ < 0) throw fail(errno_text());
    recover(visit);
    if (options_.zero_ahead_bytes > 0) {
      spare_ = std::make_unique<SpareSegment>(
          dir_ / kSpareName, std::uint64_t{options_.segment_bytes} + options_.zero_ahead_bytes);
    }
  } catch (...) {
    if (dir_fd_ >= 0) ::close(dir_fd_);
    ::close(lock_fd_);
    throw;
  }
}

SegmentStore::~SegmentStore() {
  segments_.clear();
  if (dir_fd_ >= 0) ::close(dir_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void SegmentStore::recover(const Visitor& visit) {
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> files;
  std::vector<std::uint64_t> summarised;  // first seqs with a .sum
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name == "LOCK") continue;
    // Scratch: the spare is made again after recovery, and a summary being written when the
    // process stopped is written again when its segment is next read through.
    if (name == kSpareName || name.ends_with(".sum.tmp")) {
      std::filesystem::remove(entry.path());
      continue;
    }
    std::uint64_t first = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), first);
    const std::string_view ext(end);
    if (ec != std::errc() || (ext != ".seg" && ext != ".sum") || name.size() != 24 || first == 0) {
      throw std::runtime_error(fmt::format("log folder '{}' holds a foreign file '{}'", dir_.string(), name));
    }
    if (ext == ".sum") {
      summarised.push_back(first);
    } else {
      files.emplace_back(first, entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::sort(summarised.begin(), summarised.end());
  if (!recover_files(files, summarised, visit)) {
    // A summary whose heads were needed did not verify: start again from the frames alone.
    segments_.clear();
    heads_.clear();
    last_seq_ = 0;
    recover_files(files, {}, visit);
  }
}

std::optional<std::string> SegmentStore::read_summary_bytes(std::uint64_t first_seq, std::uint64_t offset,
                                                            std::size_t size) const {
  const int fd = ::open(summary_path(first_seq).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  const FileHandle file(fd);
  std::string bytes(size, '\0');
  if (pread_some(fd, bytes.data(), size, offset) != size) return std::nullopt;
  return bytes;
}

std::optional<segment::SummaryMeta> SegmentStore::read_summary_meta(std::uint64_t first_seq,
                                                                    std::uint64_t segment_size) const {
  const auto fixed = read_summary_bytes(first_seq, 0, segment::kSummaryFixed);
  const std::size_t size = fixed ? segment::summary_meta_size(*fixed) : 0;
  const auto bytes = size == 0 ? std::nullopt : read_summary_bytes(first_seq, 0, size);
  auto meta = bytes ? segment::decode_summary_meta(*bytes) : std::nullopt;
  // Sealed segments end at their last frame, so a summary of this very segment names its size.
  if (!meta || meta->first_seq != first_seq || meta->end != segment_size) return std::nullopt;
  return meta;
}

std::optional<segment::Heads> SegmentStore::read_summary_heads(const segment::SummaryMeta& meta) const {
  const std::uint64_t at = segment::kSummaryFixed + 16 * std::uint64_t{meta.sparse.size()} + 4;
  const auto bytes = read_summary_bytes(meta.first_seq, at, static_cast<std::size_t>(meta.heads_bytes + 4));
  return bytes ? segment::decode_summary_heads(meta, *bytes) : std::nullopt;
}

void SegmentStore::write_summary(const Segment& seg) const {
  segment::SummaryMeta meta{seg.first_seq, last_seq_, seg.end, seg.last_appended_at, seg.sparse, 0, 0};
  std::string bytes;
  try {
    segment::encode_summary(meta, heads_, bytes);
  } catch (const std::exception&) {
    return;  // a patient id too long for the format: start-up reads this segment instead
  }
  // No fsync (segment_summary.h): a summary that did not reach the disk is read as missing.
  const std::filesystem::path path = summary_path(seg.first_seq);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const bool written = pwrite_all(fd, bytes, 0);
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
}

std::filesystem::path SegmentStore::summary_path(std::uint64_t first_seq) const {
  return dir_ / fmt::format("{:020}.sum", first_seq);
}

bool SegmentStore::recover_files(const std::vector<std::pair<std::uint64_t, std::filesystem::path>>& files,
                                 const std::vector<std::uint64_t>& summarised, const Visitor& visit) {
  // The sealed segments start-up may take from their summaries: each has a valid one and holds no
  // record to visit (none appended since visit_since, or none among the newest visit_newest).
  std::vector<std::optional<segment::SummaryMeta>> metas(files.size());
  std::uint64_t known_last = 0;  // at most the log's last seq: visiting by it visits no less
  for (std::size_t i = 0; i + 1 < files.size(); ++i) {
    const std::uint64_t first_seq = files[i].first;
    const std::filesystem::path& path = files[i].second;
    if (!std::binary_search(summarised.begin(), summarised.end(), first_seq)) continue;
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) continue;
    metas[i] = read_summary_meta(first_seq, size);
    if (metas[i]) known_last = std::max(known_last, metas[i]->last_seq);
  }
  auto skippable = [&](std::size_t i) {
    const auto& meta = metas[i];
    return meta && (meta->last_appended_at < options_.visit_since ||
                    known_last - meta->last_seq >= options_.visit_newest);
  };

  const segment::SummaryMeta* heads_from = nullptr;  // the last skipped segment's, not yet loaded
  auto load_heads = [&] {
    if (heads_from == nullptr) return true;
    auto heads = read_summary_heads(*heads_from);
    if (!heads) return false;
    heads_ = std::move(*heads);
    heads_from = nullptr;
    return true;
  };

  for (std::size_t i = 0; i < files.size(); ++i) {
    const bool last = i + 1 == files.size();
    const std::uint64_t first_seq = files[i].first;
    const std::filesystem::path& path = files[i].second;
    auto corrupt = [&](std::uint64_t offset, std::string_view why) {
      return std::runtime_error(
          fmt::format("log segment '{}' is corrupt at byte {}: {}", path.string(), offset, why));
    };
    auto seg = std::make_shared<Segment>();
    seg->first_seq = first_seq;
    seg->path = path;
    if (skippable(i)) {
      const segment::SummaryMeta& meta = *metas[i];
      if (first_seq != last_seq_ + 1) throw corrupt(0, fmt::format("expected first seq {}", last_seq_ + 1));
      seg->end = meta.end;
      seg->file_size = meta.end;
      seg->sparse = meta.sparse;
      seg->last_appended_at = meta.last_appended_at;
      last_seq_ = meta.last_seq;
      heads_from = &meta;
      segments_.push_back(std::move(seg));
      continue;
    }
    if (!load_heads()) return false;
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw corrupt(0, errno_text());
    seg->file = std::make_shared<FileHandle>(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw corrupt(0, errno_text());
    const auto size = static_cast<std::uint64_t>(st.st_size);

    char header[segment::kHeaderSize];
    const std::size_t got = pread_some(fd, header, sizeof header, 0);
    if (got < sizeof header || segment::decode_header(std::span<const char>(header, got)) != first_seq) {
      // A crash while creating the newest segment leaves it empty or with a partial header; no
      // record was ever written to it.
      if (last && size <= segment::kHeaderSize) {
        std::filesystem::remove(path);
        break;
      }
      throw corrupt(0, "bad segment header");
    }
    if (first_seq != last_seq_ + 1) throw corrupt(0, fmt::format("expected first seq {}", last_seq_ + 1));
    seg->sparse.emplace_back(first_seq, segment::kHeaderSize);

    const ScanEnd end = scan(fd, segment::kHeaderSize, size, [&](DecodedFrame& f, std::uint64_t at) {
      if (f.record.seq != last_seq_ + 1) throw corrupt(at, fmt::format("expected seq {}", last_seq_ + 1));
      last_seq_ = f.record.seq;
      if (last_seq_ % kSparseEvery == 0) seg->sparse.emplace_back(last_seq_, at);
      heads_[f.record.patient_id] = segment::ChainLink{last_seq_, static_cast<std::uint32_t>(at)};
      seg->last_appended_at = f.record.appended_at;
      visit(f.record);
      return true;
    });
    bool zeros_ahead = false;  // the tail is the zeros ahead (a spare's, or the writer's): kept
    if (end.status != DecodeStatus::ok) {
      if (!last) throw corrupt(end.offset, "invalid frame before the newest segment");
      zeros_ahead = all_zeros(fd, end.offset, size);
      // The torn tail of an unacknowledged group: cut it off, durably, before appending after it.
      // Anything but zeros must go: a stale complete frame left after a shorter new group would
      // stop the next start-up.
      if (!zeros_ahead && (::ftruncate(fd, static_cast<off_t>(end.offset)) != 0 || !sync(fd))) {
        throw corrupt(end.offset, fmt::format("cannot truncate the torn tail: {}", errno_text()));
      }
    }
    seg->end = end.offset;
    seg->file_size = end.status == DecodeStatus::ok || zeros_ahead ? size : end.offset;
    if (!last) {
      seg->file.reset();
      // A log from before summaries, or one whose summary was lost: the next start skips it.
      if (!metas[i]) write_summary(*seg);
    }
    segments_.push_back(std::move(seg));
  }
  return load_heads();
}

void SegmentStore::open_new_segment(std::uint64_t first_seq) {
  // Seal the newest segment first: its zeros ahead go, durably, so that recovery finds frames only
  // in every segment but the newest.
  if (!segments_.empty()) {
    Segment& sealed = *segments_.back();
    if (sealed.file_size > sealed.end) {
      if (::ftruncate(sealed.file->fd, static_cast<off_t>(sealed.end)) != 0 || !sync(sealed.file->fd)) {
        throw std::runtime_error(
            fmt::format("cannot seal log segment '{}': {}", sealed.path.string(), errno_text()));
      }
      sealed.file_size = sealed.end;
    }
    write_summary(sealed);
  }
  auto seg = std::make_shared<Segment>();
  seg->first_seq = first_seq;
  seg->path = dir_ / fmt::format("{:020}.seg", first_seq);
  std::string header;
  segment::encode_header(first_seq, header);
  auto cannot_create = [&] {
    return std::runtime_error(
        fmt::format("cannot create log segment '{}': {}", seg->path.string(), errno_text()));
  };
  if (const int spare_fd = spare_ ? spare_->take() : -1; spare_fd >= 0) {
    // A spare, zeroed and synced: its header is durable before it takes the segment's name, and
    // the name before any record goes in.
    seg->file = std::make_shared<FileHandle>(spare_fd);
    const bool ok = pwrite_all(spare_fd, header, 0) && ::fdatasync(spare_fd) == 0 &&
                    ::rename(spare_->path().c_str(), seg->path.c_str()) == 0 && ::fsync(dir_fd_) == 0;
    const int saved_errno = errno;
    spare_->prepare_next();
    errno = saved_errno;
    if (!ok) throw cannot_create();
    seg->file_size = spare_->size();
  } else {
    const int fd = ::open(seg->path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) seg->file = std::make_shared<FileHandle>(fd);
    // The header and the folder entry are durable before any record goes in, so that recovery can
    // trust every segment but an empty newest one.
    if (fd < 0 || !pwrite_all(fd, header, 0) || ::fdatasync(fd) != 0 || ::fsync(dir_fd_) != 0)
      throw cannot_create();
    if (spare_) spare_->prepare_next();  // the current spare, if any, now paces on this segment
  }
  seg->sparse.emplace_back(first_seq, segment::kHeaderSize);
  std::unique_lock lock(mutex_);
  if (!segments_.empty()) segments_.back()->file.reset();  // sealed: readers open it themselves
  segments_.push_back(std::move(seg));
}

std::shared_ptr<FileHandle> SegmentStore::open_sealed(const Segment& seg) {
  const int fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error(
        fmt::format("cannot open log segment '{}': {}", seg.path.string(), errno_text()));
  }
  return std::make_shared<FileHandle>(fd);
}

bool SegmentStore::sync(int fd) const {
  if (options_.sync_for_test) return options_.sync_for_test();
  return ::fdatasync(fd) == 0;
}

std::optional<std::string> SegmentStore::append(std::span<const NewRecord> records, TimePoint appended_at) {
  if (failed_) return "the log refused writes after an earlier write error; restart to recover";
  if (records.empty()) return std::nullopt;
  try {
    // A newest segment without an open file is a sealed one (recovery removed an empty newest
    // segment after it): never written to again.
    if (segments_.empty() || !segments_.back()->file || segments_.back()->end >= options_.segment_bytes) {
      open_new_segment(records.front().seq);
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  Segment& seg = *segments_.back();
  const std::uint64_t base = seg.end;

  buffer_.clear();
  std::unordered_map<std::string_view, segment::ChainLink> group_heads;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> sparse;
  try {
    for (const NewRecord& r : records) {
      const std::string& patient = r.item->patient_id;
      segment::ChainLink prev;
      if (auto g = group_heads.find(patient); g != group_heads.end()) {
        prev = g->second;
      } else if (auto h = heads_.find(patient); h != heads_.end()) {
        prev = h->second;
      }
      const std::uint64_t at = base + buffer_.size();
      if (at > std::numeric_limits<std::uint32_t>::max()) return "log group too large for one segment";
      segment::encode_frame(*r.item, r.seq, prev, appended_at, buffer_);
      group_heads[patient] = segment::ChainLink{r.seq, static_cast<std::uint32_t>(at)};
      if (r.seq % kSparseEvery == 0) sparse.emplace_back(r.seq, at);
    }
  } catch (const std::exception& e) {
    return e.what();  // nothing written
  }

  const int fd = seg.file->fd;  // the newest segment's descriptor stays open
  if (!zero_ahead(seg, base + buffer_.size()) || !pwrite_all(fd, buffer_, base) || !sync(fd)) {
    std::string error = fmt::format("cannot write log segment '{}': {}", seg.path.string(), errno_text());
    failed_ = true;
    if (::ftruncate(fd, static_cast<off_t>(base)) != 0) error += " (and cannot truncate it back)";
    seg.file_size = base;
    return error;
  }

  {
    std::unique_lock lock(mutex_);
    seg.end = base + buffer_.size();
    seg.last_appended_at = appended_at;
    seg.sparse.insert(seg.sparse.end(), sparse.begin(), sparse.end());
    for (const auto& [patient, link] : group_heads) heads_[std::string(patient)] = link;
    last_seq_ = records.back().seq;
  }
  if (spare_) spare_->progress(seg.end);
  return std::nullopt;
}

void SegmentStore::wait_for_spare_for_test() {
  if (spare_) spare_->wait_until_idle();
}

bool SegmentStore::zero_ahead(Segment& seg, std::uint64_t needed) {
  if (options_.zero_ahead_bytes == 0 || needed <= seg.file_size) return true;
  constexpr std::uint64_t kPage = 4096;
  const std::uint64_t target = (needed + options_.zero_ahead_bytes + kPage - 1) / kPage * kPage;
  static const std::string zeros(64u << 10, '\0');
  for (std::uint64_t at = seg.file_size; at < target;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), target - at));
    if (!pwrite_all(seg.file->fd, std::string_view(zeros.data(), n), at)) return false;
    at += n;
  }
  if (!sync(seg.file->fd)) return false;
  seg.file_size = target;
  return true;
}

std::uint64_t SegmentStore::last_seq() const {
  std::shared_lock lock(mutex_);
  return last_seq_;
}

std::shared_ptr<SegmentStore::Segment> SegmentStore::segment_of(std::uint64_t seq) const {
  auto it =
      std::upper_bound(segments_.begin(), segments_.end(), seq,
                       [](std::uint64_t s, const std::shared_ptr<Segment>& g) { return s < g->first_seq; });
  return it == segments_.begin() ? nullptr : *std::prev(it);
}

std::vector<Record> SegmentStore::read(std::uint64_t after_seq, std::size_t max,
                                       std::vector<Record> recycled) const {
  return read_impl(after_seq, max, true, std::move(recycled));
}

std::optional<Record> SegmentStore::read_one(std::uint64_t seq) const {
  if (seq == 0) return std::nullopt;
  std::vector<Record> one = read_impl(seq - 1, 1, false, {});
  if (one.empty()) return std::nullopt;
  return std::move(one.front());
}

std::vector<Record> SegmentStore::read_impl(std::uint64_t after_seq, std::size_t max, bool use_hint,
                                            std::vector<Record> recycled) const {
  struct Part {
    std::shared_ptr<Segment> segment;
    std::shared_ptr<FileHandle> file;  // null: open when reached (sealed)
    std::uint64_t end = 0;             // synced bytes when the read started
  };
  std::vector<Part> parts;
  std::uint64_t from = 0;
  {
    std::shared_lock lock(mutex_);
    if (max == 0 || after_seq >= last_seq_) return {};
    const std::uint64_t target = after_seq + 1;
    std::shared_ptr<Segment> seg;
    if (use_hint) {
      std::lock_guard hint_lock(hint_mutex_);
      if (hint_.next_seq == target && hint_.segment) {
        seg = hint_.segment;
        from = hint_.offset;
      }
    }
    if (!seg) {
      seg = segment_of(target);
      if (!seg) return {};
      auto p = std::upper_bound(seg->sparse.begin(), seg->sparse.end(), target,
                                [](std::uint64_t s, const auto& point) { return s < point.first; });
      from = std::prev(p)->second;
    }
    bool found = false;
    for (const auto& s : segments_) {
      if (s == seg) found = true;
      if (found) parts.push_back(Part{s, s->file, s->end});
    }
  }

  // The first n of `out` are this read's; the rest, records handed back, are swapped into the
  // scan's frame one by one, so that each decode writes into strings that already have room.
  std::vector<Record> out = std::move(recycled);
  std::size_t n = 0;
  std::shared_ptr<Segment> stop_segment;
  std::uint64_t stop_offset = 0;
  for (std::size_t i = 0; i < parts.size() && n < max; ++i) {
    const auto& [seg, open_file, end] = parts[i];
    const std::shared_ptr<FileHandle> file = open_file ? open_file : open_sealed(*seg);
    const std::uint64_t start = i == 0 ? from : segment::kHeaderSize;
    const ScanEnd e = scan(
        file->fd, start, end,
        [&](DecodedFrame& f, std::uint64_t) {
          if (f.record.seq > after_seq) {
            if (n < out.size()) {
              std::swap(out[n], f.record);
            } else {
              out.push_back(std::move(f.record));
            }
            ++n;
          }
          return n < max;
        },
        max == 1 ? kSmallChunk : kChunk);
    if (e.status != DecodeStatus::ok) {
      throw std::runtime_error(
          fmt::format("log segment '{}' unreadable at byte {}", seg->path.string(), e.offset));
    }
    stop_segment = seg;
    stop_offset = e.offset;
  }
  out.resize(n);
  if (use_hint && !out.empty()) {
    std::lock_guard hint_lock(hint_mutex_);
    hint_ = Hint{out.back().seq + 1, stop_segment, stop_offset};
  }
  return out;
}

segment::ChainLink SegmentStore::chain_head(std::string_view patient_id) const {
  std::shared_lock lock(mutex_);
  auto it = heads_.find(std::string(patient_id));
  return it == heads_.end() ? segment::ChainLink{} : it->second;
}

DecodedFrame SegmentStore::read_at(segment::ChainLink link) const {
  std::shared_ptr<Segment> seg;
  std::shared_ptr<FileHandle> file;
  std::uint64_t end = 0;
  {
    std::shared_lock lock(mutex_);
    seg = segment_of(link.seq);
    if (seg) {
      end = seg->end;
      file = seg->file;
    }
  }
  if (!seg || link.offset < segment::kHeaderSize || link.offset >= end) {
    throw std::runtime_error(fmt::format("log record {} is not in the log", link.seq));
  }
  if (!file) file = open_sealed(*seg);
  DecodedFrame f;
  const ScanEnd e = scan(
      file->fd, link.offset, end,
      [&](DecodedFrame& frame, std::uint64_t) {
        f = std::move(frame);
        return false;
      },
      kSmallChunk);
  if (e.status != DecodeStatus::ok || f.status != DecodeStatus::ok || f.record.seq != link.seq) {
    throw std::runtime_error(
        fmt::format("log segment '{}' unreadable at byte {}", seg->path.string(), link.offset));
  }
  return f;
}

}  // namespace vigil::log
