// The segment log's own promises, beyond the Log contract (log_test.cpp) and kill -9
// (crash_test.cpp): torn tails are cut and nothing acknowledged is lost, corruption elsewhere
// stops start-up, segments roll, the dedupe window, latest() and failed syncs.
#include "log/segment_log.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>

#include "common/sched_slice.h"
#include "common/threads_for_test.h"
#include "log/log_test_util.h"

namespace vigil::log {
namespace {

using testing::append;

namespace fs = std::filesystem;
using testing::at_ms;
using testing::observation;

// The files of `dir` named *`extension`, sorted (so, for segments and summaries, by first seq).
std::vector<fs::path> files_ending(const fs::path& dir, std::string_view extension) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == extension) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> segments(const fs::path& dir) {
  return files_ending(dir, ".seg");
}

// What a roll does to the newest segment before it creates the next: cuts its zeros ahead.
void seal_newest(const fs::path& dir) {
  const fs::path newest = segments(dir).back();
  std::ifstream in(newest, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), {}};
  fs::resize_file(newest, bytes.find_last_not_of('\0') + 1);  // a frame ends in its payload's '}'
}

std::vector<std::string> ids(const std::vector<Record>& records) {
  std::vector<std::string> out;
  out.reserve(records.size());
  for (const Record& r : records) out.push_back(r.id);
  return out;
}

std::size_t open_fds() {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

void flip_byte(const fs::path& file, std::uintmax_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

class SegmentLogTest : public ::testing::Test {
 protected:
  SegmentLogOptions options() {
    SegmentLogOptions o;
    o.clock = &clock_;
    return o;
  }
  fs::path dir() const { return tmp_.path() / "log"; }

  testing::TempDir tmp_;
  ManualClock clock_{at_ms(1'800'000'000'000)};
};

TEST_F(SegmentLogTest, EveryCutOfTheTailKeepsExactlyTheCompleteRecordsAndStaysWritable) {
  {
    auto o = options();
    o.zero_ahead_bytes = 0;  // the file ends at the last frame: every cut below is inside a frame
    SegmentLog log(dir(), o);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(append(log, {observation(fmt::format("r{}", i))}).ok());
  }
  const fs::path seg = segments(dir()).front();
  const std::uintmax_t full = fs::file_size(seg);
  std::string original;
  {
    std::ifstream in(seg, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::set<std::size_t> survivor_counts;
  for (std::uintmax_t cut = segment::kHeaderSize; cut <= full; ++cut) {
    fs::resize_file(seg, cut);
    std::size_t survived = 0;
    {
      SegmentLog log(dir(), options());
      survived = log.read(0, 100).size();
      // A cut inside record k keeps records 1..k-1 and cuts the file back to their end.
      EXPECT_LE(fs::file_size(seg), cut);
      const AppendResult r = append(log, {observation(fmt::format("after-{}", cut))});
      ASSERT_TRUE(r.ok()) << r.error;
      EXPECT_EQ(r.items[0].seq, survived + 1) << "cut at " << cut;
      EXPECT_EQ(log.read(0, 100).size(), survived + 1);
    }
    survivor_counts.insert(survived);
    std::ofstream(seg, std::ios::binary | std::ios::trunc)
        .write(original.data(), static_cast<std::streamsize>(original.size()));
  }
  // Every count from none (a cut inside the first frame) to all five (no cut) occurred.
  EXPECT_EQ(survivor_counts, (std::set<std::size_t>{0, 1, 2, 3, 4, 5}));
  SegmentLog log(dir(), options());
  EXPECT_EQ(ids(log.read(0, 100)), (std::vector<std::string>{"r1", "r2", "r3", "r4", "r5"}));
}

TEST_F(SegmentLogTest, AZeroFilledTailIsKeptAndWrittenOverAndATailWithAnythingElseIsCut) {
  auto o = options();
  o.zero_ahead_bytes = 0;  // the file ends at the last frame before the zeros are added below
  {
    SegmentLog log(dir(), o);
    ASSERT_TRUE(append(log, {observation("a"), observation("b")}).ok());
  }
  const fs::path seg = segments(dir()).front();
  const auto size = fs::file_size(seg);
  fs::resize_file(seg, size + 8192);  // what a crash after extending the file can leave
  {
    SegmentLog log(dir(), o);
    EXPECT_EQ(fs::file_size(seg), size + 8192) << "zeros are kept, to be written over";
    EXPECT_EQ(ids(log.read(0, 10)), (std::vector<std::string>{"a", "b"}));
    ASSERT_TRUE(append(log, {observation("c")}).ok());
    EXPECT_EQ(fs::file_size(seg), size + 8192);
  }
  {
    SegmentLog log(dir(), o);
    EXPECT_EQ(ids(log.read(0, 10)), (std::vector<std::string>{"a", "b", "c"}));
  }
  // One byte other than zero at the end: the tail is not zeros ahead but a torn write, and goes.
  {
    std::fstream f(seg, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(size + 8191));
    f.put('x');
  }
  SegmentLog log(dir(), o);
  EXPECT_LT(fs::file_size(seg), size + 8192);
  EXPECT_EQ(ids(log.read(0, 10)), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(SegmentLogTest, ZerosAheadAreWrittenOverKeptAtRestartAndSealedSegmentsHoldFramesOnly) {
  auto o = options();
  o.zero_ahead_bytes = 64u << 10;
  o.segment_bytes = 8u << 10;
  std::vector<std::string> all;
  std::uintmax_t frames_end = 0;
  {
    SegmentLog log(dir(), o);
    ASSERT_TRUE(append(log, {observation("first")}).ok());
    const fs::path seg = segments(dir()).front();
    // The file was extended with zeros ahead of the frame, in whole pages.
    EXPECT_GE(fs::file_size(seg), o.zero_ahead_bytes);
    EXPECT_EQ(fs::file_size(seg) % 4096, 0u);
    all.push_back("first");
    for (int i = 0; i < 400; ++i) {  // enough for several segments of 8 KiB
      all.push_back(fmt::format("r{}", i));
      ASSERT_TRUE(append(log, {observation(all.back())}).ok());
    }
    const auto files = segments(dir());
    ASSERT_GE(files.size(), 3u);
    // Every sealed segment was cut back to its frames: it is smaller than the zeros ahead.
    for (std::size_t i = 0; i + 1 < files.size(); ++i) EXPECT_LT(fs::file_size(files[i]), o.zero_ahead_bytes);
    EXPECT_GE(fs::file_size(files.back()), o.zero_ahead_bytes);
  }
  {
    // A restart (here after a clean close, as after kill -9) ends the newest segment at its last
    // frame and keeps its zeros, to write over them; a sealed segment with zeros would be
    // corruption and stop it.
    const std::uintmax_t before = fs::file_size(segments(dir()).back());
    SegmentLog log(dir(), o);
    EXPECT_EQ(ids(log.read(0, 1000)), all);
    frames_end = fs::file_size(segments(dir()).back());
    EXPECT_EQ(frames_end, before);
    all.push_back("after-restart");
    ASSERT_TRUE(append(log, {observation(all.back())}).ok());
    EXPECT_EQ(fs::file_size(segments(dir()).back()), frames_end);
  }
  SegmentLog log(dir(), o);
  EXPECT_EQ(ids(log.read(0, 1000)), all);
}

TEST_F(SegmentLogTest, NewSegmentsAreTheSpareZeroedAheadAndARestartRemovesTheSpare) {
  auto o = options();
  o.segment_bytes = 16u << 10;
  o.zero_ahead_bytes = 4u << 10;
  // The spare: segment_bytes + zero_ahead_bytes in whole chunks; the writer's own zeroing would
  // leave the file at its frames plus 4 KiB, in pages.
  const std::uintmax_t spare_size = SpareSegment::kDefaultChunk;
  const fs::path spare = dir() / SegmentStore::kSpareName;
  std::vector<std::string> all;
  {
    SegmentLog log(dir(), o);
    log.wait_for_spare_for_test();
    EXPECT_EQ(fs::file_size(spare), spare_size);
    for (int i = 0; i < 800; ++i) {   // several segments of 16 KiB
      log.wait_for_spare_for_test();  // each roll finds the spare complete
      all.push_back(fmt::format("r{}", i));
      ASSERT_TRUE(append(log, {observation(all.back())}).ok());
      const auto files = segments(dir());
      // The newest segment is a former spare, all its zeros in place; sealed ones hold frames only.
      EXPECT_EQ(fs::file_size(files.back()), spare_size) << files.back();
      for (std::size_t f = 0; f + 1 < files.size(); ++f)
        EXPECT_LT(fs::file_size(files[f]), o.segment_bytes + 1024);
    }
    ASSERT_GE(segments(dir()).size(), 3u);
    log.wait_for_spare_for_test();
    EXPECT_TRUE(fs::exists(spare));
  }
  // What a crash right after a roll leaves: a segment with its header and zeros only (a spare
  // renamed before its first group), after the previous one was sealed (cut to its frames, as
  // below). And a spare with a header (a crash before the rename).
  seal_newest(dir());
  const std::uint64_t next_seq = all.size() + 1;
  {
    std::string bytes;
    segment::encode_header(next_seq, bytes);
    bytes.resize(spare_size, '\0');
    std::ofstream(dir() / fmt::format("{:020}.seg", next_seq), std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(spare, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  {
    SegmentLog log(dir(), o);
    EXPECT_EQ(ids(log.read(0, 1000)), all);
    EXPECT_EQ(fs::file_size(segments(dir()).back()), spare_size);  // its zeros kept
    all.push_back("after-restart");
    ASSERT_TRUE(append(log, {observation(all.back())}).ok());
    EXPECT_EQ(log.read(next_seq - 1, 10).front().id, "after-restart");
  }
  SegmentLog log(dir(), o);
  EXPECT_EQ(ids(log.read(0, 1000)), all);
}

TEST_F(SegmentLogTest, RecordsRollOverSegmentsAndReadAcrossThemFromAnyPoint) {
  auto o = options();
  o.segment_bytes = 1024;
  std::vector<std::string> all;
  {
    SegmentLog log(dir(), o);
    for (int b = 0; b < 40; ++b) {
      std::vector<AppendItem> batch;
      for (int i = 0; i < 3; ++i) {
        all.push_back(fmt::format("b{}-{}", b, i));
        batch.push_back(observation(all.back(), fmt::format("P-{}", i)));
      }
      ASSERT_TRUE(append(log, std::move(batch)).ok());
    }
  }
  EXPECT_GT(segments(dir()).size(), 5u);
  const std::size_t fds_before = open_fds();
  SegmentLog log(dir(), o);
  log.wait_for_spare_for_test();  // its file stays open until a roll takes it
  // Sealed segments are opened per read, never all kept open: the folder lock, the folder, the
  // newest segment and the spare (and nothing per segment).
  EXPECT_LE(open_fds(), fds_before + 4);
  EXPECT_EQ(ids(log.read(0, 1000)), all);
  EXPECT_LE(open_fds(), fds_before + 4) << "reads of sealed segments closed what they opened";
  for (std::uint64_t after : {1u, 7u, 50u, 119u}) {
    const auto part = log.read(after, 13);
    ASSERT_FALSE(part.empty());
    EXPECT_EQ(part.front().seq, after + 1);
    EXPECT_EQ(part.front().id, all[after]);
  }
  // Sequential reads in small steps (the pipeline's pattern) see every record once, in order.
  std::vector<std::string> stepped;
  for (std::uint64_t after = 0;;) {
    auto part = log.read(after, 7);
    if (part.empty()) break;
    after = part.back().seq;
    for (auto& r : part) stepped.push_back(r.id);
  }
  EXPECT_EQ(stepped, all);
}

// The consumer hands each round's records back to the next read (Log::read_reusing), which
// decodes into their strings: whatever those held, and however many there were, the result is
// exactly what read() returns.
TEST_F(SegmentLogTest, ReadingIntoHandedBackRecordsReturnsExactlyWhatReadReturns) {
  auto o = options();
  o.segment_bytes = 2048;
  SegmentLog log(dir(), o);
  for (int b = 0; b < 30; ++b) {
    std::vector<AppendItem> batch;
    for (int i = 0; i < 4; ++i) {
      // Field lengths vary, so that a reused string is sometimes longer, sometimes shorter.
      AppendItem item = observation(
          fmt::format("id-{}-{}{}", b, i, std::string(static_cast<std::size_t>(b % 7) * 9, 'x')),
          fmt::format("P-{}", i), i % 2 == 0 ? "8867-4" : "85354-9", 1'800'000'000'000 + b,
          fmt::format(R"({{"v":"{}"}})", std::string(static_cast<std::size_t>((b * 37 + i) % 300), 'p')));
      item.kind = i == 3 ? RecordKind::questionnaire_response : RecordKind::observation;
      if (b % 3 != 0) item.trace = fmt::format("00-{:032x}-{:016x}-01", b * 10 + i + 1, i + 1);
      batch.push_back(std::move(item));
    }
    ASSERT_TRUE(append(log, std::move(batch)).ok());
  }
  const auto same = [](const Record& a, const Record& b) {
    return a.seq == b.seq && a.kind == b.kind && a.id == b.id && a.patient_id == b.patient_id &&
           a.code == b.code && a.effective_time == b.effective_time && a.payload == b.payload &&
           a.appended_at == b.appended_at && a.trace == b.trace;
  };
  std::vector<Record> handed_back;
  std::size_t steps = 0;
  for (std::uint64_t after = 0;; ++steps) {
    const std::size_t max = 1 + steps % 9;  // rounds of varying size: more and fewer than handed back
    const std::vector<Record> expected = log.read(after, max);
    if (steps % 4 == 3) {  // and now and then extra records with stale contents
      handed_back.push_back(Record{99, RecordKind::questionnaire_response, std::string(80, 's'), "P-stale",
                                   "stale", at_ms(1), std::string(500, 's'), at_ms(2), std::string(60, 't')});
    }
    std::vector<Record> got = log.read_reusing(after, max, std::move(handed_back));
    ASSERT_EQ(got.size(), expected.size()) << "after " << after;
    for (std::size_t k = 0; k < got.size(); ++k)
      EXPECT_TRUE(same(got[k], expected[k])) << "seq " << expected[k].seq;
    if (got.empty()) break;
    after = got.back().seq;
    handed_back = std::move(got);
  }
  EXPECT_GT(steps, 20u);
}

TEST_F(SegmentLogTest, CorruptionBeforeTheNewestSegmentStopsStartUpNamingTheSegment) {
  auto o = options();
  o.segment_bytes = 512;
  {
    SegmentLog log(dir(), o);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(append(log, {observation(fmt::format("r{}", i))}).ok());
  }
  const auto segs = segments(dir());
  ASSERT_GE(segs.size(), 3u);
  flip_byte(segs[1], segment::kHeaderSize + 30);
  try {
    SegmentLog log(dir(), o);
    FAIL() << "a corrupt segment was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(segs[1].filename().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
  }
}

TEST_F(SegmentLogTest, TheWriterThreadRunsWithTheConfiguredSchedulerSlice) {
  auto o = options();
  o.writer_slice = std::chrono::microseconds(400);
  SegmentLog log(dir(), o);
  // The writer asks for its slice before it takes any group: once one is durable, it has asked.
  ASSERT_TRUE(append(log, {observation("slice-1")}).ok());
  const std::vector<int> writers = test::thread_ids_named("vigil-log");
  ASSERT_EQ(writers.size(), 1u);
  if (this_thread_slice().has_value()) {  // Linux 6.12 or later
    EXPECT_EQ(slice_of_thread(writers.front()), std::chrono::nanoseconds(std::chrono::microseconds(400)));
  } else {
    EXPECT_EQ(slice_of_thread(writers.front()), std::nullopt);
  }
}

TEST_F(SegmentLogTest, ASecondLogOnTheSameFolderIsRefused) {
  SegmentLog log(dir(), options());
  EXPECT_THROW(SegmentLog(dir(), options()), std::runtime_error);
}

TEST_F(SegmentLogTest, ForeignFilesInTheFolderAreRefused) {
  fs::create_directories(dir());
  std::ofstream(dir() / "notes.txt") << "hello";
  EXPECT_THROW(SegmentLog(dir(), options()), std::runtime_error);
}

TEST_F(SegmentLogTest, DuplicatesWithinTheWindowSurviveARestartAndOlderOnesAreStoredAgain) {
  auto o = options();
  o.dedupe_window = std::chrono::minutes(10);
  {
    SegmentLog log(dir(), o);
    ASSERT_TRUE(append(log, {observation("x"), observation("y")}).ok());
  }
  {
    SegmentLog log(dir(), o);
    const AppendResult r = append(log, {observation("x"), observation("z"), observation("z")});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_TRUE(r.items[0].duplicate);
    EXPECT_EQ(r.items[0].seq, 1u);
    EXPECT_FALSE(r.items[1].duplicate);
    EXPECT_TRUE(r.items[2].duplicate);
    EXPECT_EQ(r.items[2].seq, r.items[1].seq);
    EXPECT_EQ(log.stats().duplicates, 2u);
  }
  clock_.advance(std::chrono::minutes(11));
  SegmentLog log(dir(), o);
  const AppendResult r = append(log, {observation("y")});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.items[0].duplicate) << "an id older than the window is stored again, by design";
  EXPECT_EQ(r.items[0].seq, 4u);
}

// Writes `batches` groups of three records (patients P-0..P-2) into segments of 1 KiB, the first
// group also holding a record of patient OLD; returns the ids in seq order.
std::vector<std::string> fill_segments(SegmentLog& log, int batches, std::string_view tag) {
  std::vector<std::string> all;
  for (int b = 0; b < batches; ++b) {
    std::vector<AppendItem> batch;
    if (b == 0 && tag == "old") {
      all.push_back("old-patient");
      batch.push_back(observation(all.back(), "OLD"));
    }
    for (int i = 0; i < 3; ++i) {
      all.push_back(fmt::format("{}{}-{}", tag, b, i));
      batch.push_back(observation(all.back(), fmt::format("P-{}", i)));
    }
    EXPECT_TRUE(append(log, std::move(batch)).ok());
  }
  return all;
}

std::vector<fs::path> summaries(const fs::path& dir) {
  return files_ending(dir, ".sum");
}

TEST_F(SegmentLogTest, StartUpReadsTheWindowsSegmentsAndTakesOlderOnesFromTheirSummaries) {
  auto o = options();
  o.segment_bytes = 1024;
  o.dedupe_window = std::chrono::minutes(1);
  std::vector<std::string> all;
  {
    SegmentLog log(dir(), o);
    all = fill_segments(log, 40, "old");
    clock_.advance(std::chrono::minutes(10));  // everything so far is older than the window
    for (const std::string& id : fill_segments(log, 4, "new")) all.push_back(id);
  }
  const auto files = segments(dir());
  ASSERT_GT(files.size(), 8u);
  // Every sealed segment has its summary, written when it was sealed.
  EXPECT_EQ(summaries(dir()).size(), files.size() - 1);

  auto latest_ids = [](SegmentLog& log, const std::string& patient) {
    return ids(log.latest(patient, "", {}, 100));
  };
  std::vector<std::vector<std::string>> chains;
  {
    // With and without summaries, start-up finds the same log: records, chains and window.
    for (const fs::path& sum : summaries(dir())) fs::remove(sum);
    SegmentLog log(dir(), o);
    EXPECT_EQ(ids(log.read(0, 1000)), all);
    for (const char* p : {"OLD", "P-0", "P-2"}) chains.push_back(latest_ids(log, p));
    EXPECT_EQ(chains[0], (std::vector<std::string>{"old-patient"}));
  }
  EXPECT_EQ(summaries(dir()).size(), files.size() - 1) << "a start-up writes the summaries it lacked";
  {
    SegmentLog log(dir(), o);
    EXPECT_EQ(ids(log.read(0, 1000)), all);
    EXPECT_EQ(ids(log.read(17, 5)), std::vector<std::string>(all.begin() + 17, all.begin() + 22));
    std::vector<std::vector<std::string>> again;
    for (const char* p : {"OLD", "P-0", "P-2"}) again.push_back(latest_ids(log, p));
    EXPECT_EQ(again, chains);
    const AppendResult r = append(log, {observation("new3-1", "P-1"), observation("old5-1", "P-1")});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.items[0].duplicate) << "the window's ids were read back";
    EXPECT_FALSE(r.items[1].duplicate) << "older than the window";
    all.push_back("old5-1");
  }

  // A flipped byte in an old sealed segment: start-up does not read it, so it starts; a read of
  // that record finds it. Without its summary, start-up reads it and refuses.
  const fs::path& victim = files[3];
  flip_byte(victim, segment::kHeaderSize + 20);
  {
    SegmentLog log(dir(), o);
    EXPECT_EQ(latest_ids(log, "OLD"), chains[0]);
    EXPECT_THROW(log.read(0, 1000), std::runtime_error);
  }
  fs::path victim_sum = victim;
  victim_sum.replace_extension(".sum");
  const fs::path kept = fs::path(tmp_.path()) / "kept.sum";
  fs::copy_file(victim_sum, kept);
  fs::remove(victim_sum);
  EXPECT_THROW(SegmentLog(dir(), o), std::runtime_error);
  fs::copy_file(kept, victim_sum);
  flip_byte(victim, segment::kHeaderSize + 20);  // repaired

  // The newest summary's heads, corrupt: start-up reads every segment instead, and finds all.
  const fs::path newest_sum = summaries(dir()).back();
  flip_byte(newest_sum, fs::file_size(newest_sum) - 6);
  SegmentLog log(dir(), o);
  EXPECT_EQ(ids(log.read(0, 1000)), all);
  EXPECT_EQ(latest_ids(log, "OLD"), chains[0]);
}

TEST_F(SegmentLogTest, StartUpReadsTheSegmentsOfTheNewestMaxIdsAndNoOlder) {
  auto o = options();
  o.segment_bytes = 1024;
  o.dedupe_max_ids = 6;  // the window's ids: the last two groups; its time span covers all
  std::vector<std::string> all;
  {
    SegmentLog log(dir(), o);
    all = fill_segments(log, 40, "b");
  }
  flip_byte(segments(dir())[2], segment::kHeaderSize + 20);
  SegmentLog log(dir(), o);  // the corrupt segment is not read: it holds none of the newest ids
  const AppendResult r =
      append(log, {observation(all.back(), "P-2"), observation(all[all.size() - 7], "P-2")});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.items[0].duplicate);
  EXPECT_FALSE(r.items[1].duplicate);
}

TEST_F(SegmentLogTest, ASealedSegmentLeftNewestIsNeverWrittenToAgainEvenWithLargerSegments) {
  auto o = options();
  o.segment_bytes = 1024;
  std::vector<std::string> all;
  {
    SegmentLog log(dir(), o);
    all = fill_segments(log, 20, "s");
  }
  // An empty newest segment (a crash while creating it), which start-up removes, leaving a sealed
  // segment newest; and segments now larger than that one, so that it is not full by the new size.
  const std::size_t sealed = segments(dir()).size();
  seal_newest(dir());
  { std::ofstream(dir() / fmt::format("{:020}.seg", all.size() + 1)); }
  o.segment_bytes = 1u << 20;
  SegmentLog log(dir(), o);
  all.push_back("after");
  ASSERT_TRUE(append(log, {observation(all.back())}).ok());
  EXPECT_EQ(segments(dir()).size(), sealed + 1) << "the record went into a new segment";
  EXPECT_EQ(ids(log.read(0, 1000)), all);
}

TEST_F(SegmentLogTest, TheWindowKeepsAtMostMaxIds) {
  auto o = options();
  o.dedupe_max_ids = 3;
  SegmentLog log(dir(), o);
  ASSERT_TRUE(append(log, {observation("a"), observation("b"), observation("c"), observation("d")}).ok());
  clock_.advance(std::chrono::milliseconds(1));
  const AppendResult r = append(log, {observation("d"), observation("a")});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.items[0].duplicate);
  EXPECT_FALSE(r.items[1].duplicate) << "the oldest ids were forgotten past max_ids";
}

TEST_F(SegmentLogTest, LatestIsNewestEffectiveFirstFilteredAndFindsLateBackfill) {
  SegmentLog log(dir(), options());
  const std::int64_t now = 1'800'000'000'000;
  ASSERT_TRUE(
      append(log,
             {observation("hr1", "P", "8867-4", now - 3000), observation("rr1", "P", "9279-1", now - 2000),
              observation("hr2", "P", "8867-4", now - 1000), observation("other", "Q", "8867-4", now)})
          .ok());
  // Hours later a phone uploads a reading taken long ago: appended last, effective oldest.
  clock_.advance(std::chrono::hours(3));
  ASSERT_TRUE(append(log, {observation("hr-old", "P", "8867-4", now - 3'600'000)}).ok());
  ASSERT_TRUE(
      append(log, {AppendItem{RecordKind::questionnaire_response, "q1", "P", "demo-epro", at_ms(now), "{}"}})
          .ok());

  EXPECT_EQ(ids(log.latest("P", "", TimePoint{}, 10)),
            (std::vector<std::string>{"hr2", "rr1", "hr1", "hr-old"}));
  EXPECT_EQ(ids(log.latest("P", "8867-4", TimePoint{}, 10)),
            (std::vector<std::string>{"hr2", "hr1", "hr-old"}));
  EXPECT_EQ(ids(log.latest("P", "8867-4", TimePoint{}, 2)), (std::vector<std::string>{"hr2", "hr1"}));
  EXPECT_EQ(ids(log.latest("P", "", at_ms(now - 2000), 10)), (std::vector<std::string>{"hr2", "rr1"}));
  EXPECT_TRUE(log.latest("nobody", "", TimePoint{}, 10).empty());
  EXPECT_TRUE(log.latest("P", "", TimePoint{}, 0).empty());
}

TEST_F(SegmentLogTest, LatestWalksThePatientChainAcrossSegmentsAndRestarts) {
  auto o = options();
  o.segment_bytes = 600;
  const std::int64_t now = 1'800'000'000'000;
  {
    SegmentLog log(dir(), o);
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(append(log, {observation(fmt::format("p{}", i), "P", "8867-4", now - 60'000 + i),
                               observation(fmt::format("q{}", i), "Q", "8867-4", now - 60'000 + i)})
                      .ok());
    }
  }
  SegmentLog log(dir(), o);
  const auto got = log.latest("P", "8867-4", TimePoint{}, 25);
  ASSERT_EQ(got.size(), 25u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].id, fmt::format("p{}", 29 - i));
}

TEST_F(SegmentLogTest, AFailedSyncFailsTheGroupHidesItAndRefusesWritesUntilARestart) {
  std::atomic<bool> fail{false};
  auto o = options();
  o.sync_for_test = [&] { return !fail.load(); };
  {
    SegmentLog log(dir(), o);
    ASSERT_TRUE(append(log, {observation("kept")}).ok());
    fail = true;
    const AppendResult bad = append(log, {observation("lost-1"), observation("lost-2")});
    EXPECT_EQ(bad.status, AppendStatus::io_error);
    EXPECT_EQ(ids(log.read(0, 10)), (std::vector<std::string>{"kept"}));
    EXPECT_EQ(log.last_seq(), 1u);
    fail = false;
    EXPECT_EQ(append(log, {observation("refused")}).status, AppendStatus::io_error);
    EXPECT_EQ(log.stats().failed_commits, 2u);
  }
  SegmentLog log(dir(), o);
  EXPECT_EQ(ids(log.read(0, 10)), (std::vector<std::string>{"kept"}));
  const AppendResult r = append(log, {observation("lost-1")});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.items[0].duplicate);
  EXPECT_EQ(r.items[0].seq, 2u);
}

}  // namespace
}  // namespace vigil::log
